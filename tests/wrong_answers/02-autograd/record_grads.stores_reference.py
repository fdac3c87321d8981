# Stores the gradient tensor itself: when its owner reuses or changes that tensor, the record changes too.
def record_grads(t):
    grads = []
    handle = t.register_hook(lambda grad: grads.append(grad))
    return grads, handle
