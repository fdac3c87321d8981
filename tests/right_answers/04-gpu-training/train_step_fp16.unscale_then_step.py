# Unscales explicitly first (the place to clip gradients) and clears the gradients with zero_grad() on the model.
def train_step_fp16(model, images, labels, optimizer, scaler, criterion, device):
    model.zero_grad()
    with torch.autocast(device.type, torch.float16):
        outputs = model(images.to(device, non_blocking=True))
        loss = criterion(outputs, labels.to(device, non_blocking=True))
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)
    scaler.step(optimizer)
    scaler.update()
    return float(loss.detach().cpu())
