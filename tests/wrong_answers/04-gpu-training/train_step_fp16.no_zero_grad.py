# Forgets zero_grad(): the scaled gradients of earlier steps are added to this step's.
def train_step_fp16(model, images, labels, optimizer, scaler, criterion, device):
    images = images.to(device, non_blocking=True)
    labels = labels.to(device, non_blocking=True)
    with torch.autocast(device_type=device.type, dtype=torch.float16):
        loss = criterion(model(images), labels)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.item()
