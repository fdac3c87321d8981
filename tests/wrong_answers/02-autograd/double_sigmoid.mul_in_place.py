# Doubles sigmoid's output in place: sigmoid's backward needs that output, so backward raises.
def double_sigmoid(x):
    return torch.sigmoid(x).mul_(2)
