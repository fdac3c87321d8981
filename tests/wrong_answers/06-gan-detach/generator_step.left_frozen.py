# Freezes D and forgets to unfreeze it: the next discriminator step cannot train D.
def generator_step(D, G, z, opt_G, criterion):
    D.requires_grad_(False)
    opt_G.zero_grad()
    out = D(G(z))
    loss = criterion(out, torch.ones_like(out))
    loss.backward()
    opt_G.step()
    return loss.item()
