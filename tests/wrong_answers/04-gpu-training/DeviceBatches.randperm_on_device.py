# Draws the permutation on the device with the caller's CPU generator: CUDA refuses a CPU generator there.
# needs: cuda
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
        if not self.shuffle:
            for start in range(0, n, self.batch_size):
                yield self.images[start:start + self.batch_size], self.labels[start:start + self.batch_size]
            return
        order = torch.randperm(n, generator=self.generator, device=self.device)
        for idx in order.split(self.batch_size):
            yield self.images[idx], self.labels[idx]
