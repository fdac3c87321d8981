# Sets the flag on buffers too: unfreeze makes running statistics require grad (and fails on num_batches_tracked).
def freeze(module):
    for t in list(module.parameters()) + list(module.buffers()):
        t.requires_grad_(False)
    return module


def unfreeze(module):
    for t in list(module.parameters()) + list(module.buffers()):
        t.requires_grad_(True)
    return module
