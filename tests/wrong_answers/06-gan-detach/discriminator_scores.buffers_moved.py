# Runs the networks in training mode and never puts batch norm's running statistics back: monitoring moves them.
def discriminator_scores(D, G, real, z):
    with torch.no_grad():
        d_real = torch.sigmoid(D(real)).mean().item()
        d_fake = torch.sigmoid(D(G(z))).mean().item()
    return d_real, d_fake
