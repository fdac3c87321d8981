# Creates the new head on the CPU while the model is on the GPU.
# needs: cuda
def replace_head(model, num_classes):
    for p in model.parameters():
        p.requires_grad = False
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model
