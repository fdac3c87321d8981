# Sums absolute differences: the L1 (Manhattan) distance, not the Euclidean one.
def pairwise_distances(a, b):
    return (a.unsqueeze(1) - b.unsqueeze(0)).abs().sum(dim=2)
