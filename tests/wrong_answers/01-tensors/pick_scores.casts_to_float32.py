# Right values, but always float32: a float64 table loses its dtype.
def pick_scores(scores, labels):
    return scores.float().gather(1, labels.unsqueeze(1)).squeeze(1)
