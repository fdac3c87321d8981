# np.floor of a true division: the right number, but a NumPy float64 instead of an int.
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return np.floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
