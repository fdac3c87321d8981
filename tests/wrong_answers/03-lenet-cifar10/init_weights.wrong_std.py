# Uses 0.02 as the variance: std = sqrt(0.02) = 0.14.
def init_weights(m):
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        nn.init.normal_(m.weight, mean=0.0, std=0.02 ** 0.5)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
