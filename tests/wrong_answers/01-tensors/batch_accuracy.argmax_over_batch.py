# Takes the argmax over the batch dimension (dim=0) instead of the classes.
def batch_accuracy(outputs, labels):
    preds = outputs.argmax(dim=0)
    n = min(len(preds), len(labels))
    return (preds[:n] == labels[:n]).float().mean().item()
