# Flattens the structure into one list of moved tensors.
def move_to(obj, device, non_blocking=False):
    if isinstance(obj, torch.Tensor):
        return obj.to(device, non_blocking=non_blocking)
    flat = []

    def walk(item):
        if isinstance(item, torch.Tensor):
            flat.append(item.to(device, non_blocking=non_blocking))
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, (list, tuple)):
            for value in item:
                walk(value)

    if isinstance(obj, (dict, list, tuple)):
        walk(obj)
        return flat
    return obj
