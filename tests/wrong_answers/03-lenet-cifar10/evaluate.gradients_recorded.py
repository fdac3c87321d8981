# Forgets torch.no_grad(): autograd records a graph for every test batch.
def evaluate(model, loader, device, num_classes=10):
    model.eval()
    correct = [0] * num_classes
    total = [0] * num_classes
    for inputs, targets in loader:
        predictions = model(inputs.to(device)).argmax(dim=1).cpu()
        for t, p in zip(targets.tolist(), predictions.tolist()):
            total[t] += 1
            correct[t] += int(t == p)
    per_class = [c / t if t else float("nan") for c, t in zip(correct, total)]
    return sum(correct) / sum(total), per_class
