# One list shared by every call: recorders of different tensors mix their gradients.
_recorded = []


def record_grads(t):
    handle = t.register_hook(lambda grad: _recorded.append(grad.clone()))
    return _recorded, handle
