# Two backward calls, one per term, with the fake batch not detached: the second one runs through G.
def discriminator_step(D, G, real, z, opt_D, criterion):
    opt_D.zero_grad()
    out_real = D(real)
    loss_real = criterion(out_real, torch.ones_like(out_real))
    loss_real.backward()
    out_fake = D(G(z))
    loss_fake = criterion(out_fake, torch.zeros_like(out_fake))
    loss_fake.backward()
    opt_D.step()
    return (loss_real + loss_fake).item()
