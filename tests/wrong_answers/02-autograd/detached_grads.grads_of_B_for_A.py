# Reads B's gradients for both lists.
def detached_grads(A, B, x):
    B(A(x).detach()).sum().backward()
    grads_B = [p.grad for p in B.parameters()]
    return grads_B, grads_B
