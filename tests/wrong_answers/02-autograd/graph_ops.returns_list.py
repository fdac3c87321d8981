# Returns a list of names (with repeats) instead of a set.
def graph_ops(t):
    names, seen, todo = [], set(), [t.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.append(type(node).__name__)
        todo.extend(child for child, _ in node.next_functions)
    return names
