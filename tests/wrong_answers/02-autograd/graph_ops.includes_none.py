# Records the name of every next_functions entry, None included ("NoneType").
def graph_ops(t):
    if t.grad_fn is None:
        return set()
    names, seen, todo = {type(t.grad_fn).__name__}, set(), [t.grad_fn]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for child, _ in node.next_functions:
            names.add(type(child).__name__)
            if child is not None:
                todo.append(child)
    return names
