# Never calls scaler.update(): the scale never shrinks after an overflow nor grows after good steps.
def train_step_fp16(model, images, labels, optimizer, scaler, criterion, device):
    images = images.to(device, non_blocking=True)
    labels = labels.to(device, non_blocking=True)
    optimizer.zero_grad()
    with torch.autocast(device_type=device.type, dtype=torch.float16):
        loss = criterion(model(images), labels)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    return loss.item()
