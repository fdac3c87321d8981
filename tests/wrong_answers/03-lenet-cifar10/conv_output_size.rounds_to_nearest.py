# Rounds the number of strides to the nearest integer instead of down.
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return round((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
