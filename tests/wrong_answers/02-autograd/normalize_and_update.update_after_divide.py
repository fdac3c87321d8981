# Divides by the buffer, then updates that same buffer in place under no_grad: division saved the buffer, its
# version moved on, and backward raises.
def normalize_and_update(x, running_scale, momentum=0.1):
    out = x / running_scale
    with torch.no_grad():
        running_scale.mul_(1 - momentum).add_(momentum * x.abs().mean(dim=0))
    return out
