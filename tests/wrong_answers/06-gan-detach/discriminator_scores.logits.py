# Averages D's logits instead of probabilities: the numbers are not in [0, 1] and say nothing about 1/2.
def discriminator_scores(D, G, real, z):
    kept = [b.clone() for b in itertools.chain(D.buffers(), G.buffers())]
    with torch.no_grad():
        d_real = D(real).mean().item()
        d_fake = D(G(z)).mean().item()
        for b, k in zip(itertools.chain(D.buffers(), G.buffers()), kept):
            b.copy_(k)
    return d_real, d_fake
