# Collects the per-sample norms in a new tensor made on the default device (the CPU): the penalty leaves the GPU.
# needs: cuda
def gradient_penalty(D, x):
    leaf = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(leaf).sum(), leaf, create_graph=True)
    norms = torch.stack([g.norm().cpu() for g in grad.flatten(start_dim=1)])
    return ((norms - 1) ** 2).mean()
