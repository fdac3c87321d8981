# Gathers the right values but returns the (N, 1) column the index had, not a vector.
def pick_scores(scores, labels):
    return scores.gather(1, labels.unsqueeze(1))
