# Knows only DataParallel's "module." prefix; a compiled model's "_orig_mod." stays.
def strip_prefixes(state_dict):
    stripped = {}
    for key, value in state_dict.items():
        while key.startswith("module."):
            key = key[len("module."):]
        stripped[key] = value
    return stripped
