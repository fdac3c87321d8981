# Moves the features to the CPU: a head on the GPU cannot train on them.
# needs: cuda
def cache_features(backbone, images, batch_size=256):
    modes = [m.training for m in backbone.modules()]
    backbone.eval()
    with torch.no_grad():
        features = torch.cat([backbone(batch).flatten(1).cpu() for batch in images.split(batch_size)])
    for m, mode in zip(backbone.modules(), modes):
        m.training = mode
    return features
