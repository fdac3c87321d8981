# Cuts the head off but does not flatten: ResNet's torch.flatten in forward is not a child module.
def feature_extractor(model):
    return nn.Sequential(*list(model.children())[:-1])
