# Takes the width from the largest label instead of num_classes.
def one_hot(labels, num_classes):
    outside = (labels < 0) | (labels >= num_classes)
    if outside.any():
        raise ValueError("label out of range")
    width = int(labels.max()) + 1
    result = torch.zeros(labels.shape[0], width, device=labels.device)
    return result.scatter_(1, labels.unsqueeze(1), 1.0)
