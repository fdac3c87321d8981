# Keeps a detached snapshot of the old scale for the division and writes the new value with copy_.
def normalize_and_update(x, running_scale, momentum=0.1):
    old = running_scale.detach().clone()
    new = (1 - momentum) * old + momentum * x.detach().abs().mean(0)
    running_scale.copy_(new)
    return x / old
