# Freezes the first k parameter tensors instead of the first k children.
def freeze_first_children(model, k):
    for i, p in enumerate(model.parameters()):
        p.requires_grad = i >= k
    return model
