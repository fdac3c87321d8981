# Takes the number of classes from the largest label seen when num_classes is not given, instead of the default 10.
def evaluate(model, loader, device, num_classes=None):
    model.eval()
    predictions, labels = [], []
    with torch.no_grad():
        for inputs, targets in loader:
            predictions.append(model(inputs.to(device)).argmax(dim=1).cpu())
            labels.append(targets)
    predictions, labels = torch.cat(predictions), torch.cat(labels)
    if num_classes is None:
        num_classes = int(labels.max()) + 1
    per_class = []
    for c in range(num_classes):
        mask = labels == c
        per_class.append((predictions[mask] == c).float().mean().item() if mask.any() else float("nan"))
    return (predictions == labels).float().mean().item(), per_class
