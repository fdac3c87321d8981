# Adds the penalty as a Python number: the loss has the right value, but the penalty sends the critic no gradient.
def wgan_gp_critic_step(C, G, real, z, eps, opt_C, gp_weight=10.0):
    fake = G(z).detach()
    opt_C.zero_grad()
    score_real, score_fake = C(real).mean(), C(fake).mean()
    x_hat = eps * real + (1 - eps) * fake
    loss = score_fake - score_real + gp_weight * gradient_penalty(C, x_hat).item()
    loss.backward()
    opt_C.step()
    return loss.item(), (score_real - score_fake).item()
