# Makes the fake batch under torch.no_grad() (today's volatile=True) instead of detaching it.
def discriminator_step(D, G, real, z, opt_D, criterion):
    with torch.no_grad():
        fake = G(z)
    opt_D.zero_grad()
    out_real = D(real)
    out_fake = D(fake)
    loss = criterion(out_real, torch.ones_like(out_real)) + criterion(out_fake, torch.zeros_like(out_fake))
    loss.backward()
    opt_D.step()
    return loss.item()
