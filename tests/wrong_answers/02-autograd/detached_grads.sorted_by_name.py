# Lists the gradients sorted by parameter name instead of in parameters() order.
def detached_grads(A, B, x):
    B(A(x).detach()).sum().backward()
    return ([p.grad for _, p in sorted(A.named_parameters())],
            [p.grad for _, p in sorted(B.named_parameters())])
