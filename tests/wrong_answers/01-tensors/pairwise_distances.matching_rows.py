# Distance between a[i] and b[i] only (no broadcasting to pairs): shape (N,), and an error when N != M.
def pairwise_distances(a, b):
    return (a - b).pow(2).sum(dim=1).sqrt()
