# Returns the predicted class index, not the class name.
def predict_files(model, dataset, device, batch_size=64):
    model.eval()
    guesses = []
    with torch.no_grad():
        for inputs, _ in DataLoader(dataset, batch_size=batch_size, shuffle=False):
            guesses += model(inputs.to(device)).argmax(dim=1).tolist()
    return {path: guess for (path, _), guess in zip(dataset.samples, guesses)}
