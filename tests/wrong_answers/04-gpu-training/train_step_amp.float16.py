# Autocasts to float16 instead of bfloat16 (float16 would need a GradScaler).
def train_step_amp(model, images, labels, optimizer, criterion, device):
    images = images.to(device, non_blocking=True)
    labels = labels.to(device, non_blocking=True)
    optimizer.zero_grad()
    with torch.autocast(device_type=device.type, dtype=torch.float16):
        loss = criterion(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss.item()
