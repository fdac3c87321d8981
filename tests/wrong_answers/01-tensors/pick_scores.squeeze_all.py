# squeeze() without a dimension: for a batch of one sample it returns a 0-dimensional tensor, not shape (1,).
def pick_scores(scores, labels):
    return scores.gather(1, labels.unsqueeze(1)).squeeze()
