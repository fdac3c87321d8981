# Converts with torchvision's to_pil_image and turns the labels into ints once, in __init__.
class ImageArrayDataset(Dataset):
    def __init__(self, images, labels, transform=None):
        self.images = images
        self.labels = [int(y) for y in labels]
        self.transform = transform or (lambda picture: picture)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.transform(transforms.functional.to_pil_image(self.images[index])), self.labels[index]
