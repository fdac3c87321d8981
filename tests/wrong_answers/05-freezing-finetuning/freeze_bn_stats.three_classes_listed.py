# Lists BatchNorm1d, 2d and 3d: SyncBatchNorm and the LazyBatchNorm layers are not subclasses of those and stay in
# training mode.
def freeze_bn_stats(model):
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)):
            m.eval()
    return model
