# Section 11's version: where() hides the infinite branch in the forward pass only, so the gradient is NaN where
# target == 0.
def relative_error_loss(pred, target):
    rel = (pred - target) / target
    return torch.where(target != 0, rel ** 2, pred ** 2).mean()
