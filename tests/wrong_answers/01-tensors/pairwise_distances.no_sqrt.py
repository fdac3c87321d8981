# Returns squared distances: forgets the square root.
def pairwise_distances(a, b):
    return (a.unsqueeze(1) - b.unsqueeze(0)).pow(2).sum(dim=2)
