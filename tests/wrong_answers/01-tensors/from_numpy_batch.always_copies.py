# torch.tensor always copies, so a float32 array bound for the CPU no longer shares its memory.
def from_numpy_batch(array, device):
    return torch.tensor(array, dtype=torch.float32, device=device)
