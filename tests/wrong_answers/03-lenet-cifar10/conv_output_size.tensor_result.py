# Computed with torch: the right number, but a 0-dimensional tensor instead of an int.
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    span = torch.tensor(size + 2 * padding - dilation * (kernel_size - 1) - 1)
    return torch.div(span, stride, rounding_mode="floor") + 1
