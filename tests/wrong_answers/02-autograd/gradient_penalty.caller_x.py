# Switches on requires_grad of the caller's x and differentiates with respect to it: the caller's tensor is changed.
def gradient_penalty(D, x):
    x.requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x).sum(), x, create_graph=True)
    return ((grad.flatten(start_dim=1).norm(dim=1) - 1) ** 2).mean()
