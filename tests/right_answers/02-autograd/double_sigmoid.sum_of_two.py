# Adds sigmoid's output to itself: out of place, the same value and gradient.
def double_sigmoid(x):
    s = torch.sigmoid(x)
    return s + s
