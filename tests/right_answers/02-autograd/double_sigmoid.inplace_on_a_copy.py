# Doubles in place, but on a copy of sigmoid's output: the tensor sigmoid's node saved keeps its version.
def double_sigmoid(x):
    doubled = torch.sigmoid(x).clone()
    doubled.mul_(2)
    return doubled
