# Only the module's own parameters (recurse=False): a Sequential has none, its children are skipped.
# also-loses: generator_step
def set_requires_grad(module, flag):
    for p in module.parameters(recurse=False):
        p.requires_grad = flag
