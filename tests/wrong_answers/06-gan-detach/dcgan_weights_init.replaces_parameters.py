# Assigns new Parameter objects: an optimizer built earlier keeps training the old tensors.
def dcgan_weights_init(m):
    if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
        m.weight = nn.Parameter(0.02 * torch.randn_like(m.weight))
    elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)):
        m.weight = nn.Parameter(1 + 0.02 * torch.randn_like(m.weight))
        m.bias = nn.Parameter(torch.zeros_like(m.bias))
