# Averages the two groups separately and adds the means: each element should count 1 / N.
def relative_error_loss(pred, target):
    nonzero = target != 0
    rel = ((pred[nonzero] - target[nonzero]) / target[nonzero]) ** 2
    return rel.mean() + (pred[~nonzero] ** 2).mean()
