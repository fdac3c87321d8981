# Only matches nn.BatchNorm2d: BatchNorm1d layers (after a linear layer) keep updating.
def freeze_bn_stats(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()
    return model
