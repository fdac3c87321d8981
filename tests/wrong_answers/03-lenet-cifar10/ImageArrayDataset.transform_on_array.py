# Gives the transform the NumPy row instead of a PIL image (ToTensor accepts both; PIL-only transforms do not).
class ImageArrayDataset(Dataset):
    def __init__(self, images, labels, transform=None):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        if self.transform is not None:
            return self.transform(self.images[index]), int(self.labels[index])
        return Image.fromarray(self.images[index]), int(self.labels[index])
