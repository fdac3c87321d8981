# Forgets the second pooling layer.
# also-loses: LeNet, train_one_epoch
def lenet_flat_features(input_size):
    n = conv_output_size(input_size, 5)
    n = conv_output_size(n, 2, stride=2)
    n = conv_output_size(n, 5)
    return 16 * n * n
