# Keeps only the tensors: numbers, strings and None inside containers disappear.
def move_to(obj, device, non_blocking=False):
    if isinstance(obj, torch.Tensor):
        return obj.to(device, non_blocking=non_blocking)
    if isinstance(obj, dict):
        return type(obj)((k, move_to(v, device, non_blocking)) for k, v in obj.items()
                         if isinstance(v, (torch.Tensor, list, tuple, dict)))
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(move_to(v, device, non_blocking) for v in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(move_to(v, device, non_blocking) for v in obj
                         if isinstance(v, (torch.Tensor, list, tuple, dict)))
    return obj
