# Collects parameters module by module: a weight shared by two layers appears twice.
def trainable_parameters(model):
    return [p for m in model.modules() for p in m.parameters(recurse=False) if p.requires_grad]
