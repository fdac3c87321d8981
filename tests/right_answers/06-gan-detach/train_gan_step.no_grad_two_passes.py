# Makes the discriminator's fake batch under no_grad and a second one for the generator step; freezes D with
# Module.requires_grad_ in a try/finally.
def train_gan_step(D, G, real, z, opt_D, opt_G, criterion):
    with torch.no_grad():
        fake_for_D = G(z)
    opt_D.zero_grad()
    scores_real = D(real)
    scores_fake = D(fake_for_D)
    loss_D = criterion(scores_real, torch.full_like(scores_real, 1.0)) \
        + criterion(scores_fake, torch.full_like(scores_fake, 0.0))
    loss_D.backward()
    opt_D.step()
    D.requires_grad_(False)
    try:
        opt_G.zero_grad(set_to_none=False)
        verdict = D(G(z))
        loss_G = criterion(verdict, torch.full_like(verdict, 1.0))
        loss_G.backward()
        opt_G.step()
    finally:
        D.requires_grad_(True)
    return float(loss_D), float(loss_G)
