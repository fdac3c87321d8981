# Detaches the fake batch in the generator step too, with D not frozen: G never learns.
def train_gan_step(D, G, real, z, opt_D, opt_G, criterion):
    fake = G(z)
    opt_D.zero_grad()
    out_real, out_fake = D(real), D(fake.detach())
    loss_D = criterion(out_real, torch.ones_like(out_real)) + criterion(out_fake, torch.zeros_like(out_fake))
    loss_D.backward()
    opt_D.step()
    opt_G.zero_grad()
    out = D(fake.detach())
    loss_G = criterion(out, torch.ones_like(out))
    loss_G.backward()
    opt_G.step()
    return loss_D.item(), loss_G.item()
