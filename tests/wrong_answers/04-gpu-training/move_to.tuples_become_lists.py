# Rebuilds every sequence as a list: a (images, labels) tuple comes back as a list, named tuples lose their fields.
def move_to(obj, device, non_blocking=False):
    if isinstance(obj, torch.Tensor):
        return obj.to(device, non_blocking=non_blocking)
    if isinstance(obj, dict):
        return {k: move_to(v, device, non_blocking) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [move_to(v, device, non_blocking) for v in obj]
    return obj
