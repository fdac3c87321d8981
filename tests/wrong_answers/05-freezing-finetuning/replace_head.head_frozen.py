# Replaces the head first and freezes afterwards: the new head is frozen too.
def replace_head(model, num_classes):
    old = model.fc
    model.fc = nn.Linear(old.in_features, num_classes).to(old.weight.device)
    for p in model.parameters():
        p.requires_grad = False
    return model
