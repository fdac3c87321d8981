# Scales each loss by multiplying with 1/k and sums the losses as tensors, converting once at the end.
def accumulated_step(model, micro_batches, optimizer, criterion):
    scale = 1.0 / len(micro_batches)
    for p in model.parameters():
        p.grad = None
    total = torch.zeros(())
    for inputs, targets in micro_batches:
        loss = criterion(model(inputs), targets) * scale
        loss.backward()
        total = total + loss.detach().cpu()
    optimizer.step()
    return float(total)
