# Freezes D parameter by parameter and returns the loss as float(loss) instead of loss.item().
def generator_step(D, G, z, opt_G, criterion):
    for p in D.parameters():
        p.requires_grad_(False)
    opt_G.zero_grad()
    out = D(G(z))
    loss = criterion(out, torch.ones_like(out))
    loss.backward()
    opt_G.step()
    for p in D.parameters():
        p.requires_grad_(True)
    return float(loss)
