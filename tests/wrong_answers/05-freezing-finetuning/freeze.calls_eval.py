# Mixes the two switches: freezing also puts the module in eval mode, unfreezing in training mode.
def freeze(module):
    for p in module.parameters():
        p.requires_grad = False
    return module.eval()


def unfreeze(module):
    for p in module.parameters():
        p.requires_grad = True
    return module.train()
