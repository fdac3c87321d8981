# Returns the last micro-batch's loss instead of the big batch's.
def accumulated_step(model, micro_batches, optimizer, criterion):
    k = len(micro_batches)
    optimizer.zero_grad()
    for inputs, targets in micro_batches:
        loss = criterion(model(inputs), targets)
        (loss / k).backward()
    optimizer.step()
    return loss.item()
