# Forgets zero_grad(): the gradients of earlier steps are added to this step's.
def train_step_amp(model, images, labels, optimizer, criterion, device):
    images = images.to(device, non_blocking=True)
    labels = labels.to(device, non_blocking=True)
    with torch.autocast(device_type=device.type, dtype=torch.bfloat16):
        loss = criterion(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss.item()
