# Accumulates in a zero tensor made on the model's device, adds in place, and converts with float() at the end.
def train_epoch_no_sync(model, batches, optimizer, criterion):
    total = torch.zeros((), device=next(model.parameters()).device)
    count = 0
    for images, labels in batches:
        for p in model.parameters():
            p.grad = None
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.detach()
        count += 1
    return float(total / count)
