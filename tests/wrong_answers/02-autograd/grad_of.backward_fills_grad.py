# Uses backward() on the caller's x: switches on x.requires_grad and fills (accumulates into) x.grad.
def grad_of(f, x):
    x.requires_grad_(True)
    f(x).backward()
    return x.grad
