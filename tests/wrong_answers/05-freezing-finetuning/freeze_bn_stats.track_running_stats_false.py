# Switches off track_running_stats: the buffers stay, but in training mode the layer normalizes with batch
# statistics instead of the stored ones.
def freeze_bn_stats(model):
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.track_running_stats = False
    return model
