# Returns the two losses as tensors: each keeps its whole graph alive.
def train_gan_step(D, G, real, z, opt_D, opt_G, criterion):
    fake = G(z)
    opt_D.zero_grad()
    out_real, out_fake = D(real), D(fake.detach())
    loss_D = criterion(out_real, torch.ones_like(out_real)) + criterion(out_fake, torch.zeros_like(out_fake))
    loss_D.backward()
    opt_D.step()
    for p in D.parameters():
        p.requires_grad = False
    opt_G.zero_grad()
    out = D(fake)
    loss_G = criterion(out, torch.ones_like(out))
    loss_G.backward()
    opt_G.step()
    for p in D.parameters():
        p.requires_grad = True
    return loss_D, loss_G
