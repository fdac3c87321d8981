# transpose(1, 3) moves channels last but swaps height and width too: W, H, C order.
def channels_last_flat(x):
    return x.transpose(1, 3).reshape(x.shape[0], -1)
