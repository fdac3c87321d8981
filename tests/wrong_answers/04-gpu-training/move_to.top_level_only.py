# Moves the tensors at the top level only; tensors nested deeper stay where they were.
def move_to(obj, device, non_blocking=False):
    if isinstance(obj, torch.Tensor):
        return obj.to(device, non_blocking=non_blocking)
    if isinstance(obj, dict):
        return type(obj)((k, v.to(device, non_blocking=non_blocking) if isinstance(v, torch.Tensor) else v)
                         for k, v in obj.items())
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(v.to(device, non_blocking=non_blocking) if isinstance(v, torch.Tensor) else v
                           for v in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(v.to(device, non_blocking=non_blocking) if isinstance(v, torch.Tensor) else v for v in obj)
    return obj
