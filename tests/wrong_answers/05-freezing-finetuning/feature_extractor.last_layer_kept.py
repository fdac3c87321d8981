# Keeps every child, the classifier head included.
def feature_extractor(model):
    return nn.Sequential(*list(model.children()), nn.Flatten())
