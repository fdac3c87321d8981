# Recurses without remembering visited nodes: a node reachable along many paths is expanded once per path.
def graph_ops(t):
    def walk(node):
        if node is None:
            return set()
        names = {type(node).__name__}
        for child, _ in node.next_functions:
            names |= walk(child)
        return names
    return walk(t.grad_fn)
