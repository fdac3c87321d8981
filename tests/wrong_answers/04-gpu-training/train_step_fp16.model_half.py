# Casts the model to float16 instead of using autocast: no float32 master weights, and the scaler refuses them.
def train_step_fp16(model, images, labels, optimizer, scaler, criterion, device):
    model.half()
    images = images.to(device, non_blocking=True).half()
    labels = labels.to(device, non_blocking=True)
    optimizer.zero_grad()
    loss = criterion(model(images).float(), labels)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.item()
