# Stores grad.detach(), which still shares memory with the gradient: changes of the buffer reach the record.
def record_grads(t):
    grads = []
    handle = t.register_hook(lambda grad: grads.append(grad.detach()))
    return grads, handle
