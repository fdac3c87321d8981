# Uses the squared norm (sum of squares) instead of the norm.
def gradient_penalty(D, x):
    leaf = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(leaf).sum(), leaf, create_graph=True)
    return (((grad.flatten(start_dim=1) ** 2).sum(dim=1) - 1) ** 2).mean()
