# The blitz's per-class loop: counts only the first 4 items of each batch.
def evaluate(model, loader, device, num_classes=10):
    model.eval()
    correct = [0] * num_classes
    total = [0] * num_classes
    all_correct = all_total = 0
    with torch.no_grad():
        for inputs, targets in loader:
            predictions = model(inputs.to(device)).argmax(dim=1).cpu()
            all_correct += (predictions == targets).sum().item()
            all_total += len(targets)
            for i in range(min(4, len(targets))):
                t = targets[i].item()
                total[t] += 1
                correct[t] += int(predictions[i].item() == t)
    per_class = [c / t if t else float("nan") for c, t in zip(correct, total)]
    return all_correct / all_total, per_class
