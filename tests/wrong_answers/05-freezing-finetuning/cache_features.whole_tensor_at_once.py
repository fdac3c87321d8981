# Ignores batch_size and runs every image through the backbone in one piece.
def cache_features(backbone, images, batch_size=256):
    modes = [m.training for m in backbone.modules()]
    backbone.eval()
    with torch.no_grad():
        features = backbone(images).flatten(1)
    for m, mode in zip(backbone.modules(), modes):
        m.training = mode
    return features
