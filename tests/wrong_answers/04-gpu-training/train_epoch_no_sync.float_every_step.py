# Adds float(loss) to a Python number each step: a hidden .item(), so the host waits for the GPU every batch.
# needs: cuda
def train_epoch_no_sync(model, batches, optimizer, criterion):
    total = 0.0
    for images, labels in batches:
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        total += float(loss)
    return total / len(batches)
