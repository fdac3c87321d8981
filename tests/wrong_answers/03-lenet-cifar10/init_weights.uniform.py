# Draws from a uniform distribution on [-0.02, 0.02] (std 0.0115) instead of N(0, 0.02).
def init_weights(m):
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        nn.init.uniform_(m.weight, -0.02, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
