# Makes a leaf only when x does not require grad; otherwise backward() adds into the caller's x.grad and returns it.
def grad_of(f, x):
    if not x.requires_grad:
        x = x.detach().requires_grad_(True)
    f(x).backward()
    return x.grad
