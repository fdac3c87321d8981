# torch.take_along_dim, then the size-1 column dropped by indexing.
def pick_scores(scores, labels):
    return torch.take_along_dim(scores, labels[:, None], dim=1)[:, 0]
