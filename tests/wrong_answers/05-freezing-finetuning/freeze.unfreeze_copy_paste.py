# unfreeze was copied from freeze and still sets requires_grad = False.
def freeze(module):
    for p in module.parameters():
        p.requires_grad = False
    return module


def unfreeze(module):
    for p in module.parameters():
        p.requires_grad = False
    return module
