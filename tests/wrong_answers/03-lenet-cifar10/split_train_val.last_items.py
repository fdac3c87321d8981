# "The last 10% for validation": the tail of the data set, not a random choice.
def split_train_val(dataset, val_size, seed=0):
    n = len(dataset)
    return Subset(dataset, list(range(n - val_size))), Subset(dataset, list(range(n - val_size, n)))
