# Forgets opt_G.zero_grad(): G's step starts from whatever its .grad held (for instance, a D step without detach).
def generator_step(D, G, z, opt_G, criterion):
    D.requires_grad_(False)
    out = D(G(z))
    loss = criterion(out, torch.ones_like(out))
    loss.backward()
    opt_G.step()
    D.requires_grad_(True)
    return loss.item()
