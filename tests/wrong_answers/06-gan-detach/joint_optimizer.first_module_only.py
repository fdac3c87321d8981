# Optimises the first module's parameters only.
def joint_optimizer(modules, lr, betas=(0.5, 0.999)):
    return torch.optim.Adam(modules[0].parameters(), lr=lr, betas=betas)
