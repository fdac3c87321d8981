# Runs the step in float32: no autocast at all.
def train_step_amp(model, images, labels, optimizer, criterion, device):
    images = images.to(device, non_blocking=True)
    labels = labels.to(device, non_blocking=True)
    optimizer.zero_grad()
    loss = criterion(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss.item()
