# Updates the saved divisor through .data to get around the version check: no error, but backward divides by the
# updated scale and the gradient is silently wrong.
def normalize_and_update(x, running_scale, momentum=0.1):
    out = x / running_scale
    running_scale.data.mul_(1 - momentum).add_(momentum * x.detach().abs().mean(dim=0))
    return out
