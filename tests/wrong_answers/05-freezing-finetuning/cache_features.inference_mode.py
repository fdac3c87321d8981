# Caches under torch.inference_mode(): a head cannot be trained on the inference tensors it returns.
def cache_features(backbone, images, batch_size=256):
    modes = [m.training for m in backbone.modules()]
    backbone.eval()
    with torch.inference_mode():
        features = torch.cat([backbone(batch).flatten(1) for batch in images.split(batch_size)])
    for m, mode in zip(backbone.modules(), modes):
        m.training = mode
    return features
