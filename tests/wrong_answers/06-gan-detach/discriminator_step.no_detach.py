# Feeds G(z) to D without detach: the backward pass reaches G and fills G's .grad.
def discriminator_step(D, G, real, z, opt_D, criterion):
    opt_D.zero_grad()
    fake = G(z)
    out_real, out_fake = D(real), D(fake)
    loss = criterion(out_real, torch.ones_like(out_real)) + criterion(out_fake, torch.zeros_like(out_fake))
    loss.backward()
    opt_D.step()
    return loss.item()
