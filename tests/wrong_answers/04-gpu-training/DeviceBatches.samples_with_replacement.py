# Samples batches with replacement (randint): some samples repeat, others are never seen in an epoch.
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
        for start in range(0, n, self.batch_size):
            size = min(self.batch_size, n - start)
            if self.shuffle:
                idx = torch.randint(0, n, (size,), generator=self.generator).to(self.device)
            else:
                idx = torch.arange(start, start + size, device=self.device)
            yield self.images[idx], self.labels[idx]
