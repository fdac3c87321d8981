# Steps after every micro-batch: k optimizer steps, each on a partial gradient, instead of one.
def accumulated_step(model, micro_batches, optimizer, criterion):
    k = len(micro_batches)
    optimizer.zero_grad()
    total = 0.0
    for inputs, targets in micro_batches:
        loss = criterion(model(inputs), targets) / k
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total
