# Doubles through .data to get around the version check: no error, but sigmoid's backward then uses the doubled
# output and the gradient is wrong.
def double_sigmoid(x):
    s = torch.sigmoid(x)
    s.data.mul_(2)
    return s
