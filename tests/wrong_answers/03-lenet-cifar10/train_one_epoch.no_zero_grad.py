# Never zeroes the gradients: every step uses the sum of all gradients so far.
def train_one_epoch(model, loader, optimizer, criterion, device):
    model.train()
    total, batches = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
    return total / batches
