# Calls backward(gradient=v) on the caller's x and returns x.grad: changes x and accumulates across calls.
def vector_jacobian(fn, x, v):
    x.requires_grad_(True)
    fn(x).backward(gradient=v)
    return x.grad
