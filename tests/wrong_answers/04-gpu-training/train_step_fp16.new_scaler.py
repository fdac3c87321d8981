# Makes a new GradScaler every step instead of using the caller's: the scale learned so far is lost.
def train_step_fp16(model, images, labels, optimizer, scaler, criterion, device):
    scaler = torch.amp.GradScaler(device.type)
    images = images.to(device, non_blocking=True)
    labels = labels.to(device, non_blocking=True)
    optimizer.zero_grad()
    with torch.autocast(device_type=device.type, dtype=torch.float16):
        loss = criterion(model(images), labels)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.item()
