# Looks only at t.grad_fn and its direct next_functions.
def graph_ops(t):
    if t.grad_fn is None:
        return set()
    names = {type(t.grad_fn).__name__}
    names.update(type(fn).__name__ for fn, _ in t.grad_fn.next_functions if fn is not None)
    return names
