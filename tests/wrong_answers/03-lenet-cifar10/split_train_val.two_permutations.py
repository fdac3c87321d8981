# Training and validation indices drawn from two different permutations: the splits overlap.
def split_train_val(dataset, val_size, seed=0):
    n = len(dataset)
    train_order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    val_order = torch.randperm(n, generator=torch.Generator().manual_seed(seed + 1))
    return Subset(dataset, train_order[:n - val_size].tolist()), Subset(dataset, val_order[:val_size].tolist())
