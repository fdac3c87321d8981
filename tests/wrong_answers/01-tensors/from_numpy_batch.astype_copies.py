# astype copies by default, even when the array already is float32: no memory shared.
def from_numpy_batch(array, device):
    return torch.from_numpy(array.astype(np.float32)).to(device)
