# Returns the mean as a tensor on the device, not as a Python float.
def train_epoch_no_sync(model, batches, optimizer, criterion):
    total = 0
    for images, labels in batches:
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        total = total + loss.detach()
    return total / len(batches)
