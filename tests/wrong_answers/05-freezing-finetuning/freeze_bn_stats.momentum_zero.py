# Sets momentum to 0: running_mean/var stay, but the layer still normalizes with batch statistics
# and num_batches_tracked still counts.
def freeze_bn_stats(model):
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.momentum = 0.0
    return model
