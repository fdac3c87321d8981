# Renames the keys inside the caller's dict and returns it: the caller's state dict is changed.
def strip_prefixes(state_dict):
    for key in list(state_dict):
        new = key
        while new.startswith(("module.", "_orig_mod.")):
            new = new.split(".", 1)[1]
        state_dict[new] = state_dict.pop(key)
    return state_dict
