# Makes the denominator safe with clamp(min=...): negative targets are replaced too.
def relative_error_loss(pred, target):
    safe = target.clamp(min=1e-6)
    return torch.where(target != 0, ((pred - target) / safe) ** 2, pred ** 2).mean()
