# Switches both networks to evaluation mode "to be safe" and back to training after: measures another network
# (batch norm's running averages), and leaves a network that was in evaluation mode in training mode.
def discriminator_scores(D, G, real, z):
    D.eval()
    G.eval()
    with torch.no_grad():
        d_real = torch.sigmoid(D(real)).mean().item()
        d_fake = torch.sigmoid(D(G(z))).mean().item()
    D.train()
    G.train()
    return d_real, d_fake
