# No detach, then G.zero_grad() to hide it: G's gradients (which belong to G's own step) are wiped.
def discriminator_step(D, G, real, z, opt_D, criterion):
    opt_D.zero_grad()
    fake = G(z)
    out_real, out_fake = D(real), D(fake)
    loss = criterion(out_real, torch.ones_like(out_real)) + criterion(out_fake, torch.zeros_like(out_fake))
    loss.backward()
    opt_D.step()
    G.zero_grad()
    return loss.item()
