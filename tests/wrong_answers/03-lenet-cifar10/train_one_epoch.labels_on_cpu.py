# Moves the inputs to the device but leaves the labels on the CPU.
# needs: cuda
def train_one_epoch(model, loader, optimizer, criterion, device):
    model.train()
    total, batches = 0.0, 0
    for inputs, targets in loader:
        inputs = inputs.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
    return total / batches
