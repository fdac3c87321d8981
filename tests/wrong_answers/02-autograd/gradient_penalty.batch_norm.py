# Takes one norm over the whole batch's gradient instead of one norm per sample.
def gradient_penalty(D, x):
    leaf = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(leaf).sum(), leaf, create_graph=True)
    return (grad.norm() - 1) ** 2
