# Keeps the data on the host and copies each batch to the device while iterating (what a DataLoader does).
class DeviceBatches:
    def __init__(self, images, labels, batch_size, shuffle, device, generator=None):
        self.images = images
        self.labels = labels
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.device = device
        self.generator = generator

    def __len__(self):
        return math.ceil(len(self.labels) / self.batch_size)

    def __iter__(self):
        n = len(self.labels)
        order = torch.randperm(n, generator=self.generator) if self.shuffle else torch.arange(n)
        for idx in order.split(self.batch_size):
            yield self.images[idx].to(self.device), self.labels[idx].to(self.device)
