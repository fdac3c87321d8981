# Backpropagates the unscaled losses and divides the summed gradients by k once, before the step: the same result.
def accumulated_step(model, micro_batches, optimizer, criterion):
    model.zero_grad(set_to_none=True)
    losses = []
    for inputs, targets in micro_batches:
        loss = criterion(model(inputs), targets)
        loss.backward()
        losses.append(loss.detach())
    with torch.no_grad():
        for p in model.parameters():
            if p.grad is not None:
                p.grad /= len(micro_batches)
    optimizer.step()
    return torch.stack(losses).mean().item()
