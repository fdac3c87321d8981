# astype with copy=False returns the array itself when it already is float32.
def from_numpy_batch(array, device):
    converted = array.astype(np.float32, copy=False)
    tensor = torch.from_numpy(converted)
    return tensor.to(device)
