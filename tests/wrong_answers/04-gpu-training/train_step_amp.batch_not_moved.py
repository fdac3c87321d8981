# Leaves images and labels where the caller had them: on a GPU the model meets CPU tensors.
# needs: cuda
def train_step_amp(model, images, labels, optimizer, criterion, device):
    optimizer.zero_grad()
    with torch.autocast(device_type=device.type, dtype=torch.bfloat16):
        loss = criterion(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss.item()
