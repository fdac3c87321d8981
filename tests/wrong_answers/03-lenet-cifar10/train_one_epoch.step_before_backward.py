# Calls optimizer.step() before loss.backward(): each step uses zeroed gradients, nothing is learned.
def train_one_epoch(model, loader, optimizer, criterion, device):
    model.train()
    total, batches = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        optimizer.step()
        loss.backward()
        total += loss.item()
        batches += 1
    return total / batches
