# Leaves the labels on the CPU and computes the loss there, bringing the scores back to the CPU every step.
# needs: cuda
def train_one_epoch(model, loader, optimizer, criterion, device):
    model.train()
    total, batches = 0.0, 0
    for inputs, targets in loader:
        inputs = inputs.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs).cpu(), targets)
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
    return total / batches
