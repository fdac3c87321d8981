# Only full batches: the images of the last, smaller batch get no features.
def cache_features(backbone, images, batch_size=256):
    modes = [m.training for m in backbone.modules()]
    backbone.eval()
    with torch.no_grad():
        full = len(images) // batch_size * batch_size
        batches = [images[i:i + batch_size] for i in range(0, full, batch_size)] or [images]
        features = torch.cat([backbone(batch).flatten(1) for batch in batches])
    for m, mode in zip(backbone.modules(), modes):
        m.training = mode
    return features
