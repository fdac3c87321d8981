# Takes the norm over dim 1 only, without flattening: right for (N, features), wrong for image-shaped samples.
def gradient_penalty(D, x):
    leaf = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(leaf).sum(), leaf, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()
