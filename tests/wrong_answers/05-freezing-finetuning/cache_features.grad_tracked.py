# No torch.no_grad(): every batch builds a graph and the features require grad.
def cache_features(backbone, images, batch_size=256):
    modes = [m.training for m in backbone.modules()]
    backbone.eval()
    features = torch.cat([backbone(batch).flatten(1) for batch in images.split(batch_size)])
    for m, mode in zip(backbone.modules(), modes):
        m.training = mode
    return features
