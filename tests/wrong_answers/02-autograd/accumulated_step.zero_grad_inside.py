# Clears the gradients before every micro-batch, as in a plain training loop: only the last micro-batch's share
# is left when the optimizer steps.
def accumulated_step(model, micro_batches, optimizer, criterion):
    k = len(micro_batches)
    total = 0.0
    for inputs, targets in micro_batches:
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets) / k
        loss.backward()
        total += loss.item()
    optimizer.step()
    return total
