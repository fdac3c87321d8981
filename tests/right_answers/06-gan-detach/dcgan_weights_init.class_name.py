# Tests the class name, as PyTorch's DCGAN example does, and writes through .data.
def dcgan_weights_init(m):
    classname = type(m).__name__
    if classname.find("Conv") != -1:
        m.weight.data.normal_(0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        m.weight.data.normal_(1.0, 0.02)
        m.bias.data.fill_(0)
