# Transforms every image once in __init__: a random augmentation would then be the same in every epoch.
class ImageArrayDataset(Dataset):
    def __init__(self, images, labels, transform=None):
        pictures = [Image.fromarray(row) for row in images]
        self.items = [transform(p) if transform is not None else p for p in pictures]
        self.labels = [int(y) for y in labels]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        return self.items[index], self.labels[index]
