# Returns detached tensors: an optimizer would update copies (and they do not even require grad).
def trainable_parameters(model):
    return [p.detach() for p in model.parameters() if p.requires_grad]
