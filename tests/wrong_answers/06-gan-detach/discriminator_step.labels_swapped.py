# Real labelled 0 and fake labelled 1.
def discriminator_step(D, G, real, z, opt_D, criterion):
    opt_D.zero_grad()
    fake = G(z).detach()
    out_real, out_fake = D(real), D(fake)
    loss = criterion(out_real, torch.zeros_like(out_real)) + criterion(out_fake, torch.ones_like(out_fake))
    loss.backward()
    opt_D.step()
    return loss.item()
