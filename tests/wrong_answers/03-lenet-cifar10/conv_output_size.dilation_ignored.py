# Uses the kernel size as if dilation were always 1.
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - kernel_size) // stride + 1
