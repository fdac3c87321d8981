# Returns every parameter, frozen ones included.
def trainable_parameters(model):
    return list(model.parameters())
