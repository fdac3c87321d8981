# Returns (val_subset, train_subset): the order of the pair is swapped.
def split_train_val(dataset, val_size, seed=0):
    generator = torch.Generator().manual_seed(seed)
    train_subset, val_subset = random_split(dataset, [len(dataset) - val_size, val_size], generator=generator)
    return val_subset, train_subset
