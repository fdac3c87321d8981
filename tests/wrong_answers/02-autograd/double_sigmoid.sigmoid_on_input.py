# Applies sigmoid_ to the input itself: changes the caller's tensor (and fails on a leaf that requires grad).
def double_sigmoid(x):
    return x.sigmoid_() * 2
