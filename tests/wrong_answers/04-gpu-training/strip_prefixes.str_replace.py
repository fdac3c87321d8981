# Uses str.replace: also removes "module." from the middle of keys ("encoder.module.weight", "submodule.weight").
def strip_prefixes(state_dict):
    return {key.replace("_orig_mod.", "").replace("module.", ""): value for key, value in state_dict.items()}
