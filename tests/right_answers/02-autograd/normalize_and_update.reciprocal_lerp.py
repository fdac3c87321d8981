# Multiplies by the reciprocal (a new tensor, which is what the product saves) and updates the buffer with lerp_.
def normalize_and_update(x, running_scale, momentum=0.1):
    out = x * running_scale.reciprocal()
    with torch.no_grad():
        running_scale.lerp_(x.abs().mean(dim=0), momentum)
    return out
