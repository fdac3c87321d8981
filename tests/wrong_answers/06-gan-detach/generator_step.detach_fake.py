# Detaches the fake batch in the generator step too (with D frozen, backward() raises: nothing requires grad).
def generator_step(D, G, z, opt_G, criterion):
    D.requires_grad_(False)
    opt_G.zero_grad()
    out = D(G(z).detach())
    loss = criterion(out, torch.ones_like(out))
    loss.backward()
    opt_G.step()
    D.requires_grad_(True)
    return loss.item()
