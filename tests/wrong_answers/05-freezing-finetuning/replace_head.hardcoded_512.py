# Writes ResNet-18's 512 instead of reading the old head's in_features.
def replace_head(model, num_classes):
    for p in model.parameters():
        p.requires_grad = False
    model.fc = nn.Linear(512, num_classes).to(next(model.parameters()).device)
    return model
