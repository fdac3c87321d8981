# Calls loss.backward() on the unscaled loss: float16 gradients can underflow, and the scaler has nothing to unscale.
def train_step_fp16(model, images, labels, optimizer, scaler, criterion, device):
    images = images.to(device, non_blocking=True)
    labels = labels.to(device, non_blocking=True)
    optimizer.zero_grad()
    with torch.autocast(device_type=device.type, dtype=torch.float16):
        loss = criterion(model(images), labels)
    loss.backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.item()
