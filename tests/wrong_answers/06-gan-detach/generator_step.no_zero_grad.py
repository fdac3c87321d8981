# Forgets opt_G.zero_grad(): G's step starts from whatever its .grad held (for instance, a D step without detach).
def generator_step(D, G, z, opt_G, criterion):
    set_requires_grad(D, False)
    out = D(G(z))
    loss = criterion(out, torch.ones_like(out))
    loss.backward()
    opt_G.step()
    set_requires_grad(D, True)
    return loss.item()
