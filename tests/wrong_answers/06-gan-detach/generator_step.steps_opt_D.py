# Also steps the discriminator's optimizer (the global opt_D), which updates D with stale gradients.
def generator_step(D, G, z, opt_G, criterion):
    D.requires_grad_(False)
    opt_G.zero_grad()
    out = D(G(z))
    loss = criterion(out, torch.ones_like(out))
    loss.backward()
    opt_G.step()
    opt_D.step()
    D.requires_grad_(True)
    return loss.item()
