# Makes the fake batch under torch.inference_mode(): D cannot save an inference tensor for its backward pass.
def discriminator_step(D, G, real, z, opt_D, criterion):
    opt_D.zero_grad()
    with torch.inference_mode():
        fake = G(z)
    out_real, out_fake = D(real), D(fake)
    loss = criterion(out_real, torch.ones_like(out_real)) + criterion(out_fake, torch.zeros_like(out_fake))
    loss.backward()
    opt_D.step()
    return loss.item()
