# Builds the one-hot rows in an integer tensor (zeros defaults to long when given a long template).
def one_hot(labels, num_classes):
    outside = (labels < 0) | (labels >= num_classes)
    if outside.any():
        raise ValueError("label out of range")
    result = torch.zeros(labels.shape[0], num_classes, dtype=torch.long, device=labels.device)
    return result.scatter_(1, labels.unsqueeze(1), 1)
