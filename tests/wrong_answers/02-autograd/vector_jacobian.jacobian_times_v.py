# Builds the full Jacobian and multiplies on the wrong side: J v instead of v^T J.
def vector_jacobian(fn, x, v):
    J = torch.autograd.functional.jacobian(fn, x).reshape(v.numel(), x.numel())
    return (J @ v.reshape(-1)).reshape(x.shape)
