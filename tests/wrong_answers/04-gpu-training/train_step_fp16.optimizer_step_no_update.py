# Steps the optimizer directly on the scaled gradients and never touches the scaler again.
def train_step_fp16(model, images, labels, optimizer, scaler, criterion, device):
    images = images.to(device, non_blocking=True)
    labels = labels.to(device, non_blocking=True)
    optimizer.zero_grad()
    with torch.autocast(device_type=device.type, dtype=torch.float16):
        loss = criterion(model(images), labels)
    scaler.scale(loss).backward()
    optimizer.step()
    return loss.item()
