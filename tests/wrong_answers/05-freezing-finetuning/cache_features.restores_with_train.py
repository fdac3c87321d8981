# Restores with backbone.train(was_training): undoes freeze_bn_stats (and cannot restore mixed modes).
def cache_features(backbone, images, batch_size=256):
    was_training = backbone.training
    backbone.eval()
    with torch.no_grad():
        features = torch.cat([backbone(batch).flatten(1) for batch in images.split(batch_size)])
    backbone.train(was_training)
    return features
