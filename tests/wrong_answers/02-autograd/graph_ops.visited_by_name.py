# Remembers visited class names instead of visited nodes: a second node of the same class is never expanded.
def graph_ops(t):
    names, todo = set(), [t.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or type(node).__name__ in names:
            continue
        names.add(type(node).__name__)
        todo.extend(child for child, _ in node.next_functions)
    return names
