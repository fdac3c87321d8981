# Concatenates the raw outputs: a ResNet body gives (N, 512, 1, 1), not (N, 512).
def cache_features(backbone, images, batch_size=256):
    modes = [m.training for m in backbone.modules()]
    backbone.eval()
    with torch.no_grad():
        features = torch.cat([backbone(batch) for batch in images.split(batch_size)])
    for m, mode in zip(backbone.modules(), modes):
        m.training = mode
    return features
