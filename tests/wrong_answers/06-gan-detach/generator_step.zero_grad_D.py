# Freezes D correctly but also calls D.zero_grad() "to be safe": D's existing gradients are reset to None.
def generator_step(D, G, z, opt_G, criterion):
    D.requires_grad_(False)
    D.zero_grad()
    opt_G.zero_grad()
    out = D(G(z))
    loss = criterion(out, torch.ones_like(out))
    loss.backward()
    opt_G.step()
    D.requires_grad_(True)
    return loss.item()
