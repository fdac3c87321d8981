# Uses label 0 for the fakes, as in the discriminator step: G learns to look fake.
def generator_step(D, G, z, opt_G, criterion):
    D.requires_grad_(False)
    opt_G.zero_grad()
    out = D(G(z))
    loss = criterion(out, torch.zeros_like(out))
    loss.backward()
    opt_G.step()
    D.requires_grad_(True)
    return loss.item()
