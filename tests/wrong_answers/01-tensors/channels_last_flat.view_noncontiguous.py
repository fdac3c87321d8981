# Permutes correctly, then calls view on the non-contiguous result, which raises.
def channels_last_flat(x):
    return x.permute(0, 2, 3, 1).view(x.shape[0], -1)
