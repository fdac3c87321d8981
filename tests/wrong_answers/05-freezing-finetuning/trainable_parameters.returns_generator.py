# Returns a generator: it is used up after one pass.
def trainable_parameters(model):
    return (p for p in model.parameters() if p.requires_grad)
