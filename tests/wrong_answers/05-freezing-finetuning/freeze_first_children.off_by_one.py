# Off by one: freezes children 0..k (k + 1 of them).
def freeze_first_children(model, k):
    for i, child in enumerate(model.children()):
        for p in child.parameters():
            p.requires_grad = i > k
    return model
