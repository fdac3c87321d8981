# itertools.chain of a generator of iterators, without *: the optimizer receives generators, not tensors.
def joint_optimizer(modules, lr, betas=(0.5, 0.999)):
    return torch.optim.Adam(itertools.chain(m.parameters() for m in modules), lr=lr, betas=betas)
