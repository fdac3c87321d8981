# Detaches sigmoid's output to avoid the in-place error: the result has no history, backward cannot reach x.
def double_sigmoid(x):
    return torch.sigmoid(x).detach().mul_(2)
