# Leaves images and labels where the caller had them: on a GPU the model meets CPU tensors.
# needs: cuda
def train_step_fp16(model, images, labels, optimizer, scaler, criterion, device):
    optimizer.zero_grad()
    with torch.autocast(device_type=device.type, dtype=torch.float16):
        loss = criterion(model(images), labels)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.item()
