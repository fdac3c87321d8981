# Matches "BatchNorm" anywhere in the class name: covers SyncBatchNorm and the lazy layers too.
def freeze_bn_stats(model):
    for m in model.modules():
        if "BatchNorm" in type(m).__name__:
            m.train(False)
    return model
