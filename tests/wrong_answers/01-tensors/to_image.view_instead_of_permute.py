# Relabels the dimensions with view instead of reordering them: the picture is scrambled.
def to_image(t):
    c, h, w = t.shape
    return t.detach().cpu().reshape(h, w, c).clamp(0, 1).numpy()
