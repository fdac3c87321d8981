# Treats each convolution as shrinking by 4 and each pooling as a plain halving with rounding up.
import math


def lenet_flat_features(input_size):
    n = math.ceil((input_size - 4) / 2)
    n = math.ceil((n - 4) / 2)
    return 16 * n * n
