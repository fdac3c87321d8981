# Calls model.eval(): BatchNorm is fixed, but Dropout is switched off too.
def freeze_bn_stats(model):
    return model.eval()
