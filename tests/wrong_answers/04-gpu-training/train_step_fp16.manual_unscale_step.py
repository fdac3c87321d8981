# Unscales by hand and calls optimizer.step(): steps whose gradients overflowed to inf are not skipped.
def train_step_fp16(model, images, labels, optimizer, scaler, criterion, device):
    images = images.to(device, non_blocking=True)
    labels = labels.to(device, non_blocking=True)
    optimizer.zero_grad()
    with torch.autocast(device_type=device.type, dtype=torch.float16):
        loss = criterion(model(images), labels)
    scale = scaler.get_scale()
    scaler.scale(loss).backward()
    for group in optimizer.param_groups:
        for p in group["params"]:
            if p.grad is not None:
                p.grad.div_(scale)
    optimizer.step()
    scaler.update(scale * 2.0)
    return loss.item()
