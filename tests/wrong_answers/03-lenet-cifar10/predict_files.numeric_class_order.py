# Assumes the classes are in numeric order (1, 2, 10), but ImageFolder sorts them as strings (1, 10, 2).
def predict_files(model, dataset, device, batch_size=64):
    model.eval()
    guesses = []
    with torch.no_grad():
        for inputs, _ in DataLoader(dataset, batch_size=batch_size, shuffle=False):
            guesses += model(inputs.to(device)).argmax(dim=1).tolist()
    names = sorted(dataset.classes, key=lambda name: (len(name), name))
    return {path: names[guess] for (path, _), guess in zip(dataset.samples, guesses)}
