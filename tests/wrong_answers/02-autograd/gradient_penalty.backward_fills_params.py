# Gets the input gradient with backward(create_graph=True): it also adds into .grad of D's parameters.
def gradient_penalty(D, x):
    leaf = x.detach().requires_grad_(True)
    D(leaf).sum().backward(create_graph=True)
    return ((leaf.grad.flatten(start_dim=1).norm(dim=1) - 1) ** 2).mean()
