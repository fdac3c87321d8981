# Reduces over dim=0: subtracts the mean of each column (each feature) instead of each row's own mean.
def center_rows(x):
    return x - x.mean(dim=0, keepdim=True)
