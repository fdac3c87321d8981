# Forgets cpu(): numpy() refuses a GPU tensor.
# needs: cuda
def to_image(t):
    return t.detach().permute(1, 2, 0).clamp(0, 1).numpy()
