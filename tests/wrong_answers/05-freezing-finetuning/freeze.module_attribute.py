# Sets requires_grad on the module object: that only creates a new attribute, no parameter is frozen.
def freeze(module):
    module.requires_grad = False
    return module


def unfreeze(module):
    module.requires_grad = True
    return module
