# Rounds the caller's array in place to float32 precision before converting: the array is changed.
def from_numpy_batch(array, device):
    if array.dtype == np.float64:
        array[...] = array.astype(np.float32)
    return torch.as_tensor(array, dtype=torch.float32, device=device)
