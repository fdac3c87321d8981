# Sets the flag on the floating-point buffers as well (BatchNorm's running statistics start requiring grad).
def set_requires_grad(module, flag):
    for t in itertools.chain(module.parameters(), module.buffers()):
        if t.is_floating_point():
            t.requires_grad = flag
