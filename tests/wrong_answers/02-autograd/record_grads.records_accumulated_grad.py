# Records t.grad after accumulation (post-accumulate hook): the running sum, not each pass's gradient; leaves only.
def record_grads(t):
    grads = []
    handle = t.register_post_accumulate_grad_hook(lambda p: grads.append(p.grad.clone()))
    return grads, handle
