# Removes at most one prefix: a compiled DDP model's "_orig_mod.module.fc.weight" keeps "module.".
def strip_prefixes(state_dict):
    stripped = {}
    for key, value in state_dict.items():
        for prefix in ("module.", "_orig_mod."):
            if key.startswith(prefix):
                key = key[len(prefix):]
                break
        stripped[key] = value
    return stripped
