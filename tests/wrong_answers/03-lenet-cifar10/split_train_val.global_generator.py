# random_split without a generator: the split follows the global random state, not the seed.
def split_train_val(dataset, val_size, seed=0):
    train_subset, val_subset = random_split(dataset, [len(dataset) - val_size, val_size])
    return train_subset, val_subset
