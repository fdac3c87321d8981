# Initializes every module that has a weight, BatchNorm's scale included.
def init_weights(m):
    if getattr(m, "weight", None) is not None:
        nn.init.normal_(m.weight, mean=0.0, std=0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
