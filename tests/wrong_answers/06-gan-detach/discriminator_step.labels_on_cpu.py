# needs: cuda
# Builds the labels with torch.ones(shape) / torch.zeros(shape): on the CPU while D's output is on the GPU.
def discriminator_step(D, G, real, z, opt_D, criterion):
    opt_D.zero_grad()
    fake = G(z).detach()
    out_real, out_fake = D(real), D(fake)
    loss = criterion(out_real, torch.ones(out_real.shape)) + criterion(out_fake, torch.zeros(out_fake.shape))
    loss.backward()
    opt_D.step()
    return loss.item()
