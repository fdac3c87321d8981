# Takes B's gradients with torch.autograd.grad instead of calling backward: right values, but .grad of B's parameters
# stays empty, so an optimizer step would do nothing.
def detached_grads(A, B, x):
    loss = B(A(x).detach()).sum()
    grads_B = list(torch.autograd.grad(loss, list(B.parameters())))
    return [p.grad for p in A.parameters()], grads_B
