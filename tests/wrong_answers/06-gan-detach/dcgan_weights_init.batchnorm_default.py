# Initialises the convolutions only; batch norm is left at PyTorch's defaults (scale exactly 1).
def dcgan_weights_init(m):
    if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
