# Interpolates with torch.lerp and writes the penalty inline with torch.autograd.grad.
def wgan_gp_critic_step(C, G, real, z, eps, opt_C, gp_weight=10.0):
    with torch.no_grad():
        fake = G(z)
    x_hat = torch.lerp(fake, real, eps).requires_grad_(True)
    (grad_x,) = torch.autograd.grad(C(x_hat).sum(), x_hat, create_graph=True)
    penalty = (grad_x.flatten(1).norm(dim=1) - 1).square().mean()
    real_score = C(real).mean()
    fake_score = C(fake).mean()
    opt_C.zero_grad()
    total = fake_score - real_score + gp_weight * penalty
    total.backward()
    opt_C.step()
    return total.item(), real_score.item() - fake_score.item()
