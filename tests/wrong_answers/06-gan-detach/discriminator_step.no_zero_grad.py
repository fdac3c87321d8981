# Forgets opt_D.zero_grad(): the new gradients add to whatever D's .grad held.
def discriminator_step(D, G, real, z, opt_D, criterion):
    fake = G(z).detach()
    out_real, out_fake = D(real), D(fake)
    loss = criterion(out_real, torch.ones_like(out_real)) + criterion(out_fake, torch.zeros_like(out_fake))
    loss.backward()
    opt_D.step()
    return loss.item()
