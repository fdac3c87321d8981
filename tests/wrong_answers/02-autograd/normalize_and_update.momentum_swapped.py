# Weighs the old scale by momentum and the batch by 1 - momentum: the wrong running average.
def normalize_and_update(x, running_scale, momentum=0.1):
    out = x / running_scale.clone()
    with torch.no_grad():
        running_scale.mul_(momentum).add_((1 - momentum) * x.abs().mean(dim=0))
    return out
