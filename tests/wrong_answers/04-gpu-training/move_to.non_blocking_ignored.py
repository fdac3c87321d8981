# Never passes non_blocking on to .to(), so the copies from pinned memory cannot overlap with computation.
def move_to(obj, device, non_blocking=False):
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, dict):
        moved = {k: move_to(v, device) for k, v in obj.items()}
        return moved if type(obj) is dict else type(obj)(moved)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(move_to(v, device) for v in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(move_to(v, device) for v in obj)
    return obj
