# Updates the buffer first and divides by the updated scale: the batch scales itself.
def normalize_and_update(x, running_scale, momentum=0.1):
    with torch.no_grad():
        running_scale.mul_(1 - momentum).add_(momentum * x.abs().mean(dim=0))
    return x / running_scale.clone()
