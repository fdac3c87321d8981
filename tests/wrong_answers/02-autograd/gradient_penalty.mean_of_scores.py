# Differentiates the mean of the scores: every sample's gradient is divided by the batch size.
def gradient_penalty(D, x):
    leaf = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(leaf).mean(), leaf, create_graph=True)
    return ((grad.flatten(start_dim=1).norm(dim=1) - 1) ** 2).mean()
