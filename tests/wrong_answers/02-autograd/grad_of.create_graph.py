# Keeps a graph attached to the result (create_graph=True) although nobody asked for a second derivative.
def grad_of(f, x):
    leaf = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(leaf), leaf, create_graph=True)
    return grad
