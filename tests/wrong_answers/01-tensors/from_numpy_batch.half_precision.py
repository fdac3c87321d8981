# Casts to float16, not the float32 the model's weights have.
def from_numpy_batch(array, device):
    return torch.from_numpy(array).to(device, torch.float16)
