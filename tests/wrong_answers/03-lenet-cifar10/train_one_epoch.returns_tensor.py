# Accumulates the loss tensors (keeping every graph alive) and returns a tensor.
def train_one_epoch(model, loader, optimizer, criterion, device):
    model.train()
    total, batches = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total = total + loss
        batches += 1
    return total / batches
