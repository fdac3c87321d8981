# Divides by the number of samples of each class without checking it, so a class with no samples crashes.
def evaluate(model, loader, device, num_classes=10):
    model.eval()
    correct = [0] * num_classes
    total = [0] * num_classes
    with torch.no_grad():
        for inputs, targets in loader:
            predictions = model(inputs.to(device)).argmax(dim=1).cpu()
            for t, p in zip(targets.tolist(), predictions.tolist()):
                total[t] += 1
                correct[t] += int(t == p)
    per_class = [c / t for c, t in zip(correct, total)]
    return sum(correct) / sum(total), per_class
