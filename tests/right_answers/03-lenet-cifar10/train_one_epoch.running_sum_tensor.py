# Keeps the losses detached in a list and averages them at the end with torch; labels moved with non_blocking.
def train_one_epoch(model, loader, optimizer, criterion, device):
    model.train()
    losses = []
    for inputs, targets in loader:
        inputs, targets = inputs.to(device, non_blocking=True), targets.to(device, non_blocking=True)
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
    return torch.stack(losses).mean().item()
