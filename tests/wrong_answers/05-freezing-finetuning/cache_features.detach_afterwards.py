# Builds the graph for every batch and detaches only the result: the features look right, the memory was spent.
def cache_features(backbone, images, batch_size=256):
    modes = [m.training for m in backbone.modules()]
    backbone.eval()
    features = torch.cat([backbone(batch).flatten(1) for batch in images.split(batch_size)]).detach()
    for m, mode in zip(backbone.modules(), modes):
        m.training = mode
    return features
