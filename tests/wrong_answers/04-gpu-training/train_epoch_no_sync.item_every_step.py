# Reads every step's loss with .item(): one device-to-host copy, and a wait for the GPU, per batch.
# needs: cuda
def train_epoch_no_sync(model, batches, optimizer, criterion):
    losses = []
    for images, labels in batches:
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)
