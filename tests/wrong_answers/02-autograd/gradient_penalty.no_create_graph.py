# Forgets create_graph=True: the penalty has the right value but no graph, so it cannot train D.
def gradient_penalty(D, x):
    leaf = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(leaf).sum(), leaf)
    return ((grad.flatten(start_dim=1).norm(dim=1) - 1) ** 2).mean()
