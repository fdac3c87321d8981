# Clamps in place on a detached view: detach shares memory, so the caller's tensor is clipped too.
def to_image(t):
    return t.detach().clamp_(0, 1).cpu().permute(1, 2, 0).numpy()
