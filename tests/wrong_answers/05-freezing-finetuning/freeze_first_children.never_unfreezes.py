# Freezes the first k children but leaves the rest as they were, so gradual unfreezing (a smaller k later) fails.
def freeze_first_children(model, k):
    for child in list(model.children())[:k]:
        for p in child.parameters():
            p.requires_grad = False
    return model
