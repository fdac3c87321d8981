# Right values, but computed in place with -=, which changes the caller's tensor.
def center_rows(x):
    x -= x.mean(dim=1, keepdim=True)
    return x
