# Freezes A with requires_grad_(False) instead of detaching: the caller's module is changed for good.
def detached_grads(A, B, x):
    A.requires_grad_(False)
    B(A(x)).sum().backward()
    return [p.grad for p in A.parameters()], [p.grad for p in B.parameters()]
