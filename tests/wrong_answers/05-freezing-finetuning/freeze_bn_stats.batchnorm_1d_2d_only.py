# Lists only nn.BatchNorm1d and nn.BatchNorm2d: BatchNorm3d and SyncBatchNorm layers keep updating their statistics.
def freeze_bn_stats(model):
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.eval()
    return model
