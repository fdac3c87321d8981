# The first val_size items become the validation split: on a data set sorted by class, a single class.
def split_train_val(dataset, val_size, seed=0):
    val_subset = Subset(dataset, list(range(val_size)))
    train_subset = Subset(dataset, list(range(val_size, len(dataset))))
    return train_subset, val_subset
