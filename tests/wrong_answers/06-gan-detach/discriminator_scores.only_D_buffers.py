# Puts D's buffers back but forgets G's: G's batch norm statistics move every time the monitor runs.
def discriminator_scores(D, G, real, z):
    kept = [b.clone() for b in D.buffers()]
    with torch.no_grad():
        d_real = torch.sigmoid(D(real)).mean().item()
        d_fake = torch.sigmoid(D(G(z))).mean().item()
        for b, k in zip(D.buffers(), kept):
            b.copy_(k)
    return d_real, d_fake
