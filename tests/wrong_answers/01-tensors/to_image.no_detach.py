# Forgets detach: numpy() refuses a tensor that requires grad.
def to_image(t):
    return t.cpu().permute(1, 2, 0).clamp(0, 1).numpy()
