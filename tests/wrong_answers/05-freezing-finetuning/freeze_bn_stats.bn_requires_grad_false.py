# Freezes BatchNorm's parameters instead of its mode: the running statistics keep moving in training mode.
def freeze_bn_stats(model):
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            for p in m.parameters():
                p.requires_grad = False
    return model
