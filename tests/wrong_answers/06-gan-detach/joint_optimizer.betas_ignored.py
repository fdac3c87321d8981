# Ignores betas: Adam's default (0.9, 0.999) instead of the caller's.
def joint_optimizer(modules, lr, betas=(0.5, 0.999)):
    return torch.optim.Adam(itertools.chain(*(m.parameters() for m in modules)), lr=lr)
