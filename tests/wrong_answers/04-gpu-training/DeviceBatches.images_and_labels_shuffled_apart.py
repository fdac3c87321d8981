# Shuffles images and labels with two different permutations: pairs no longer belong together.
class DeviceBatches:
    def __init__(self, images, labels, batch_size, shuffle, device, generator=None):
        self.images = images.to(device)
        self.labels = labels.to(device)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.device = torch.device(device)
        self.generator = generator


    def __len__(self):
        return math.ceil(len(self.labels) / self.batch_size)

    def __iter__(self):
        n = len(self.labels)
        if self.shuffle:
            image_order = torch.randperm(n, generator=self.generator).to(self.device)
            label_order = torch.randperm(n, generator=self.generator).to(self.device)
        else:
            image_order = label_order = torch.arange(n, device=self.device)
        for a, b in zip(image_order.split(self.batch_size), label_order.split(self.batch_size)):
            yield self.images[a], self.labels[b]
