# Freezes D only after D(G(z)) ran: backward() still computes D's weight gradients (then drops them), the work freezing should save.
def generator_step(D, G, z, opt_G, criterion):
    opt_G.zero_grad()
    out = D(G(z))
    D.requires_grad_(False)
    loss = criterion(out, torch.ones_like(out))
    loss.backward()
    opt_G.step()
    D.requires_grad_(True)
    return loss.item()
