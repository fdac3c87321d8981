# Differentiates with respect to x itself: fails when x does not require grad.
def grad_of(f, x):
    (grad,) = torch.autograd.grad(f(x), x)
    return grad
