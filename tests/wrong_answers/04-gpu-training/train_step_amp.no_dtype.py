# Leaves out dtype=: autocast then uses the device's default, bfloat16 on the CPU but float16 on CUDA.
def train_step_amp(model, images, labels, optimizer, criterion, device):
    images = images.to(device, non_blocking=True)
    labels = labels.to(device, non_blocking=True)
    optimizer.zero_grad()
    with torch.autocast(device_type=device.type):
        loss = criterion(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss.item()
