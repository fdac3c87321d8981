# Returns each row's best score, whatever the label.
def pick_scores(scores, labels):
    return scores.max(dim=1).values
