# Does not clip to [0, 1].
def to_image(t):
    return t.detach().cpu().permute(1, 2, 0).numpy()
