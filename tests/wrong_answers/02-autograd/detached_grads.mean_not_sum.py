# Uses the mean of B's outputs instead of the sum: every gradient of B is scaled down.
def detached_grads(A, B, x):
    B(A(x).detach()).mean().backward()
    return [p.grad for p in A.parameters()], [p.grad for p in B.parameters()]
