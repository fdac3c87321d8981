# Returns the accuracy of the last batch as the overall accuracy.
def evaluate(model, loader, device, num_classes=10):
    model.eval()
    correct = [0] * num_classes
    total = [0] * num_classes
    with torch.no_grad():
        for inputs, targets in loader:
            predictions = model(inputs.to(device)).argmax(dim=1).cpu()
            batch_accuracy = (predictions == targets).float().mean().item()
            for t, p in zip(targets.tolist(), predictions.tolist()):
                total[t] += 1
                correct[t] += int(t == p)
    per_class = [c / t if t else float("nan") for c, t in zip(correct, total)]
    return batch_accuracy, per_class
