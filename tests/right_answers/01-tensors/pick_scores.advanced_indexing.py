# Advanced indexing with a row index beside the labels: one element per (row, label) pair.
def pick_scores(scores, labels):
    rows = torch.arange(scores.shape[0], device=scores.device)
    return scores[rows, labels]
