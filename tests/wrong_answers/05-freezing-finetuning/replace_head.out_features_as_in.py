# Takes the new layer's input size from the old head's out_features (1000) instead of in_features.
def replace_head(model, num_classes):
    for p in model.parameters():
        p.requires_grad = False
    old = model.fc
    model.fc = nn.Linear(old.out_features, num_classes).to(old.weight.device)
    return model
