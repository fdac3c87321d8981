# Sets the flag on state_dict() tensors: detached copies, so the parameters never change (and the integer
# BatchNorm counter raises when asked to require grad).
# also-loses: generator_step
def set_requires_grad(module, flag):
    for t in module.state_dict().values():
        t.requires_grad = flag
