# Records a graph for every forward pass (no no_grad): the right numbers, at the cost of a graph nobody uses.
def discriminator_scores(D, G, real, z):
    buffers = list(itertools.chain(D.buffers(), G.buffers()))
    kept = [b.detach().clone() for b in buffers]
    d_real = torch.sigmoid(D(real)).mean().item()
    d_fake = torch.sigmoid(D(G(z))).mean().item()
    with torch.no_grad():
        for b, k in zip(buffers, kept):
            b.copy_(k)
    return d_real, d_fake
