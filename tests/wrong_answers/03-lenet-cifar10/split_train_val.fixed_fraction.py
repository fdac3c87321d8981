# Always holds out 10% (random_split with fractions) instead of val_size items.
def split_train_val(dataset, val_size, seed=0):
    generator = torch.Generator().manual_seed(seed)
    train_subset, val_subset = random_split(dataset, [0.9, 0.1], generator=generator)
    return train_subset, val_subset
