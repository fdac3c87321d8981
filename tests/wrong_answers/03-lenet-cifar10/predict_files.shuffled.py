# Predicts through a shuffled DataLoader: the i-th prediction no longer belongs to dataset.samples[i].
def predict_files(model, dataset, device, batch_size=64):
    model.eval()
    guesses = []
    with torch.no_grad():
        for inputs, _ in DataLoader(dataset, batch_size=batch_size, shuffle=True):
            guesses += model(inputs.to(device)).argmax(dim=1).tolist()
    return {path: dataset.classes[guess] for (path, _), guess in zip(dataset.samples, guesses)}
