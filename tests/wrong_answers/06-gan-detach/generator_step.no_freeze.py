# Does not freeze D: the backward pass computes (and accumulates) gradients for D's weights.
def generator_step(D, G, z, opt_G, criterion):
    opt_G.zero_grad()
    out = D(G(z))
    loss = criterion(out, torch.ones_like(out))
    loss.backward()
    opt_G.step()
    return loss.item()
