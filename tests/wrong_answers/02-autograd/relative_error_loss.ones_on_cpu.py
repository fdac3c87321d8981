# Builds the safe denominator's ones with torch.ones(target.shape), on the default device (the CPU): fails for
# tensors on a GPU.
# needs: cuda
def relative_error_loss(pred, target):
    nonzero = target != 0
    safe = torch.where(nonzero, target, torch.ones(target.shape))
    return torch.where(nonzero, ((pred - target) / safe) ** 2, pred ** 2).mean()
