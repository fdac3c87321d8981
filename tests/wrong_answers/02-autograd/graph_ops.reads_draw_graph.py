# Reads the node names off the lesson's drawing helper: draw_graph refuses large graphs and stand-in nodes.
def graph_ops(t):
    if t.grad_fn is None:
        return set()
    fig, ax = plt.subplots()
    draw_graph(t, ax=ax)
    names = {text.get_text().split("\n")[0] for text in ax.texts if text.get_text()}
    plt.close(fig)
    return names
