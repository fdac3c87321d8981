# Draws one permutation in __init__ and reuses it: every epoch sees the samples in the same order.
class DeviceBatches:
    def __init__(self, images, labels, batch_size, shuffle, device, generator=None):
        self.images = images.to(device)
        self.labels = labels.to(device)
        self.batch_size = batch_size
        n = len(labels)
        self.order = (torch.randperm(n, generator=generator) if shuffle else torch.arange(n)).to(device)

    def __len__(self):
        return math.ceil(len(self.labels) / self.batch_size)

    def __iter__(self):
        for idx in self.order.split(self.batch_size):
            yield self.images[idx], self.labels[idx]
