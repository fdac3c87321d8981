# Takes the penalty at the real samples instead of the points between real and fake.
def wgan_gp_critic_step(C, G, real, z, eps, opt_C, gp_weight=10.0):
    fake = G(z).detach()
    opt_C.zero_grad()
    score_real, score_fake = C(real).mean(), C(fake).mean()
    x_hat = eps * real + (1 - eps) * fake
    loss = score_fake - score_real + gp_weight * gradient_penalty(C, real)
    loss.backward()
    opt_C.step()
    return loss.item(), (score_real - score_fake).item()
