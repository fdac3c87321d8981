# Leaves the backbone in eval mode: Dropout stays off for the rest of the training.
def cache_features(backbone, images, batch_size=256):
    backbone.eval()
    with torch.no_grad():
        return torch.cat([backbone(batch).flatten(1) for batch in images.split(batch_size)])
