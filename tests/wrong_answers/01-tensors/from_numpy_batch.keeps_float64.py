# Converts without casting: a float64 array stays a Double tensor, which a float32 layer refuses.
def from_numpy_batch(array, device):
    return torch.from_numpy(array).to(device)
