# Shuffles with the global random state: the generator argument is ignored.
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
        order = torch.randperm(n) if self.shuffle else torch.arange(n)
        for idx in order.to(self.device).split(self.batch_size):
            yield self.images[idx], self.labels[idx]
