# Returns 0-dim tensors instead of Python floats.
def discriminator_scores(D, G, real, z):
    kept = [b.clone() for b in itertools.chain(D.buffers(), G.buffers())]
    with torch.no_grad():
        d_real = torch.sigmoid(D(real)).mean()
        d_fake = torch.sigmoid(D(G(z))).mean()
        for b, k in zip(itertools.chain(D.buffers(), G.buffers()), kept):
            b.copy_(k)
    return d_real, d_fake
