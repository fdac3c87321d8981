# Clips with np.clip(out=...) on the NumPy view of a CPU tensor, which clips the caller's tensor too
# (on a GPU, cpu() copies first, so the mistake is harmless there).
# needs: cpu
def to_image(t):
    img = t.detach().cpu().permute(1, 2, 0).numpy()
    np.clip(img, 0, 1, out=img)
    return img
