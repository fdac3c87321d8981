# A generator of its own, but always seeded with 0: every seed gives the same split.
def split_train_val(dataset, val_size, seed=0):
    generator = torch.Generator().manual_seed(0)
    train_subset, val_subset = random_split(dataset, [len(dataset) - val_size, val_size], generator=generator)
    return train_subset, val_subset
