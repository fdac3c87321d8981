# Freezes D only after D(G(z)) ran: backward() still computes D's weight gradients (then drops them), the work freezing should save.
def generator_step(D, G, z, opt_G, criterion):
    opt_G.zero_grad()
    out = D(G(z))
    set_requires_grad(D, False)
    loss = criterion(out, torch.ones_like(out))
    loss.backward()
    opt_G.step()
    set_requires_grad(D, True)
    return loss.item()
