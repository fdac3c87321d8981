# Updates the buffer from x with recording on: the buffer gets a history and requires grad.
def normalize_and_update(x, running_scale, momentum=0.1):
    out = x / running_scale.clone()
    running_scale.mul_(1 - momentum).add_(momentum * x.abs().mean(dim=0))
    return out
