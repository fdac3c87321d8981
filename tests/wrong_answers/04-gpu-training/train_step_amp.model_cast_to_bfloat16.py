# Casts the model itself to bfloat16 instead of using autocast: the float32 master weights are lost.
def train_step_amp(model, images, labels, optimizer, criterion, device):
    model.to(torch.bfloat16)
    images = images.to(device, non_blocking=True).to(torch.bfloat16)
    labels = labels.to(device, non_blocking=True)
    optimizer.zero_grad()
    loss = criterion(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss.item()
