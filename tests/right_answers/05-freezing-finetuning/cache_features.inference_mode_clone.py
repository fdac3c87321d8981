# Runs under torch.inference_mode() and clones the result outside it, restores modes with m.train(mode) in order.
def cache_features(backbone, images, batch_size=256):
    modes = [(m, m.training) for m in backbone.modules()]
    backbone.eval()
    chunks = []
    for start in range(0, len(images), batch_size):
        with torch.inference_mode():
            out = backbone(images[start:start + batch_size])
        chunks.append(out.reshape(len(out), -1).clone())
    for m, mode in modes:
        m.train(mode)
    return torch.cat(chunks)
