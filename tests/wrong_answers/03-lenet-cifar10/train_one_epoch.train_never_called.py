# Never calls model.train(), so a model left in eval mode by an evaluation trains in eval mode.
def train_one_epoch(model, loader, optimizer, criterion, device):
    total, batches = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
    return total / batches
