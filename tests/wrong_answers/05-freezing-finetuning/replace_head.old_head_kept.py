# Stacks a new layer after the old 1000-way head instead of replacing it (old head left trainable).
def replace_head(model, num_classes):
    for name, p in model.named_parameters():
        p.requires_grad = name.startswith("fc.")
    old = model.fc
    model.fc = nn.Sequential(old, nn.Linear(old.out_features, num_classes).to(old.weight.device))
    return model
