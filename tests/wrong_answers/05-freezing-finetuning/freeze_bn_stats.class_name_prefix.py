# Matches class names that start with "BatchNorm": misses SyncBatchNorm and LazyBatchNorm1d.
def freeze_bn_stats(model):
    for m in model.modules():
        if type(m).__name__.startswith("BatchNorm"):
            m.eval()
    return model
