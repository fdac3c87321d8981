# Never clears the gradients: each step adds the new gradients to all the old ones.
def train_epoch_no_sync(model, batches, optimizer, criterion):
    total = 0
    for images, labels in batches:
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        total = total + loss.detach()
    return (total / len(batches)).item()
