# Returns the hook function instead of the handle from register_hook: the caller cannot remove the hook.
def record_grads(t):
    grads = []

    def hook(grad):
        grads.append(grad.clone())

    t.register_hook(hook)
    return grads, hook
