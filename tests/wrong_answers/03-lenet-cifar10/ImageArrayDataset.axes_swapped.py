# Swaps height and width before making the PIL image (PIL's (W, H) order applied to the array).
class ImageArrayDataset(Dataset):
    def __init__(self, images, labels, transform=None):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        image = Image.fromarray(np.ascontiguousarray(self.images[index].swapaxes(0, 1)))
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.labels[index])
