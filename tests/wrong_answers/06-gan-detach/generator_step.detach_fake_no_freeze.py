# Detaches the fake batch and does not freeze D: no error, D collects gradients, G never changes.
def generator_step(D, G, z, opt_G, criterion):
    opt_G.zero_grad()
    out = D(G(z).detach())
    loss = criterion(out, torch.ones_like(out))
    loss.backward()
    opt_G.step()
    return loss.item()
