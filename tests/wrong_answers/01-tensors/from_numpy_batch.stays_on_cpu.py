# Casts to float32 but never moves the tensor: it stays on the CPU whatever the device.
# needs: cuda
def from_numpy_batch(array, device):
    return torch.from_numpy(array).float()
