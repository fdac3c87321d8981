# True division: returns a float (14.5 for an odd size, 28.0 otherwise).
# also-loses: LeNet, train_one_epoch
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1
