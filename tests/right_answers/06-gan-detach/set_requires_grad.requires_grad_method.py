# Uses Module.requires_grad_, which sets the flag on every parameter.
def set_requires_grad(module, flag):
    module.requires_grad_(flag)
