# Passes the critic's scores through a sigmoid, as a discriminator's: a WGAN critic's scores are used as they are.
def wgan_gp_critic_step(C, G, real, z, eps, opt_C, gp_weight=10.0):
    fake = G(z).detach()
    opt_C.zero_grad()
    score_real, score_fake = torch.sigmoid(C(real)).mean(), torch.sigmoid(C(fake)).mean()
    x_hat = eps * real + (1 - eps) * fake
    loss = score_fake - score_real + gp_weight * gradient_penalty(C, x_hat)
    loss.backward()
    opt_C.step()
    return loss.item(), (score_real - score_fake).item()
