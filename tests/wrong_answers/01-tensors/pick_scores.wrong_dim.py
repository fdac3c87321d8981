# Gathers along dim 0: entry i is scores[labels[i], i], a row picked by the label instead of a column.
def pick_scores(scores, labels):
    return scores.gather(0, labels.unsqueeze(0)).squeeze(0)
