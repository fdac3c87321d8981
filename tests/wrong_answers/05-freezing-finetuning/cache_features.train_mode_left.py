# Never calls eval(): BatchNorm normalizes with batch statistics (and updates them), Dropout drops features.
def cache_features(backbone, images, batch_size=256):
    with torch.no_grad():
        return torch.cat([backbone(batch).flatten(1) for batch in images.split(batch_size)])
