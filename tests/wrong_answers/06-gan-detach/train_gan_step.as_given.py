# The broken step of the prompt, unchanged: five mistakes.
def train_gan_step(D, G, real, z, opt_D, opt_G, criterion):
    fake = G(z)
    out_real, out_fake = D(real), D(fake)
    loss_D = criterion(out_real, torch.ones_like(out_real)) + criterion(out_fake, torch.zeros_like(out_fake))
    loss_D.backward(retain_graph=True)
    opt_D.step()
    out = D(fake)
    loss_G = criterion(out, torch.zeros_like(out))
    loss_G.backward()
    opt_G.step()
    return loss_D.item(), loss_G.item()
