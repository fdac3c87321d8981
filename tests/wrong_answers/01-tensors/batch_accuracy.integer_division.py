# Divides integers with //, so any accuracy below 100% becomes 0.
def batch_accuracy(outputs, labels):
    correct = (outputs.argmax(dim=1) == labels).sum().item()
    return float(correct // len(labels))
