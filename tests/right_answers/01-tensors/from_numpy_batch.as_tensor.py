# torch.as_tensor with dtype and device: shares when it can, copies otherwise.
def from_numpy_batch(array, device):
    return torch.as_tensor(array, dtype=torch.float32, device=device)
