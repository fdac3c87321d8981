# Rebuilds every tuple with tuple(...): a named tuple comes back as a plain tuple and loses its field names.
def move_to(obj, device, non_blocking=False):
    if isinstance(obj, torch.Tensor):
        return obj.to(device, non_blocking=non_blocking)
    if isinstance(obj, dict):
        moved = {k: move_to(v, device, non_blocking) for k, v in obj.items()}
        return moved if type(obj) is dict else type(obj)(moved)
    if isinstance(obj, list):
        return [move_to(v, device, non_blocking) for v in obj]
    if isinstance(obj, tuple):
        return tuple(move_to(v, device, non_blocking) for v in obj)
    return obj
