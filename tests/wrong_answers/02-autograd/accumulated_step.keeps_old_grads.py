# Never clears the gradients: whatever .grad held before the call is added to the step.
def accumulated_step(model, micro_batches, optimizer, criterion):
    k = len(micro_batches)
    total = 0.0
    for inputs, targets in micro_batches:
        loss = criterion(model(inputs), targets) / k
        loss.backward()
        total += loss.item()
    optimizer.step()
    return total
