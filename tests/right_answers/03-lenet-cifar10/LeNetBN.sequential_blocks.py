# Functional dropout with the module's mode passed on, and the layer names kept.
class LeNetBN(nn.Module):
    def __init__(self, num_classes=10, dropout=0.5):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, 6, kernel_size=5), nn.BatchNorm2d(6)
        self.conv2, self.bn2 = nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, num_classes)
        self.p = dropout

    def forward(self, x):
        for conv, norm in ((self.conv1, self.bn1), (self.conv2, self.bn2)):
            x = F.max_pool2d(torch.relu(norm(conv(x))), kernel_size=2)
        x = x.reshape(x.shape[0], -1)
        for fc in (self.fc1, self.fc2):
            x = F.dropout(torch.relu(fc(x)), p=self.p, training=self.training)
        return self.fc3(x)
