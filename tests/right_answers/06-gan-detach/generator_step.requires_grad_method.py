# Freezes D with Module.requires_grad_ and unfreezes it in a finally clause.
def generator_step(D, G, z, opt_G, criterion):
    D.requires_grad_(False)
    try:
        opt_G.zero_grad()
        out = D(G(z))
        target = torch.full_like(out, 1.0)
        loss = criterion(out, target)
        loss.backward()
        opt_G.step()
    finally:
        D.requires_grad_(True)
    return loss.item()
