# Returns the loss as a tensor (holding a graph) instead of a Python float.
def accumulated_step(model, micro_batches, optimizer, criterion):
    k = len(micro_batches)
    optimizer.zero_grad()
    total = 0.0
    for inputs, targets in micro_batches:
        loss = criterion(model(inputs), targets) / k
        loss.backward()
        total = total + loss
    optimizer.step()
    return total
