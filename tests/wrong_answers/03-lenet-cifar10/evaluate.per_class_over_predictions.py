# Divides by how often each class was predicted (precision), not by how many samples it has.
def evaluate(model, loader, device, num_classes=10):
    model.eval()
    correct = [0] * num_classes
    predicted = [0] * num_classes
    with torch.no_grad():
        for inputs, targets in loader:
            predictions = model(inputs.to(device)).argmax(dim=1).cpu()
            for t, p in zip(targets.tolist(), predictions.tolist()):
                predicted[p] += 1
                correct[t] += int(t == p)
    per_class = [c / n if n else float("nan") for c, n in zip(correct, predicted)]
    return sum(correct) / sum(predicted), per_class
