# Puts b's points on the rows: the (M, N) table, a[i]-to-b[j] distance at [j, i].
def pairwise_distances(a, b):
    return (b.unsqueeze(1) - a.unsqueeze(0)).pow(2).sum(dim=2).sqrt()
