# Uses node.name() instead of type(node).__name__ ("torch::autograd::AccumulateGrad" for leaves).
def graph_ops(t):
    names, seen, todo = set(), set(), [t.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.add(node.name())
        todo.extend(child for child, _ in node.next_functions)
    return names
