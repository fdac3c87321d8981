# Measures in evaluation mode and forgets to switch back: training goes on with batch norm's statistics frozen.
def discriminator_scores(D, G, real, z):
    D.eval()
    G.eval()
    with torch.no_grad():
        d_real = torch.sigmoid(D(real)).mean().item()
        d_fake = torch.sigmoid(D(G(z))).mean().item()
    return d_real, d_fake
