# Backpropagates each micro-batch's mean loss unscaled: the k gradients add up to k times the big batch's.
def accumulated_step(model, micro_batches, optimizer, criterion):
    optimizer.zero_grad()
    losses = []
    for inputs, targets in micro_batches:
        loss = criterion(model(inputs), targets)
        loss.backward()
        losses.append(loss.item())
    optimizer.step()
    return sum(losses) / len(losses)
