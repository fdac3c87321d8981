# Uses modules() instead of children(): the first "module" is the model itself, then the layers recursively.
def freeze_first_children(model, k):
    for i, m in enumerate(model.modules()):
        for p in m.parameters():
            p.requires_grad = i >= k
        if i + 1 >= k:
            break
    return model
