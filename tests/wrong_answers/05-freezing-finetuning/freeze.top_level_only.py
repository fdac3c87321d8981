# Only reaches the direct children's own parameters (recurse=False): nested blocks stay trainable.
def freeze(module):
    for child in module.children():
        for p in child.parameters(recurse=False):
            p.requires_grad = False
    return module


def unfreeze(module):
    for child in module.children():
        for p in child.parameters(recurse=False):
            p.requires_grad = True
    return module
