"""Drawing a small autograd graph for notebook 02 (the lesson shows the picture; walking the graph is an exercise).

`draw_graph(t, names, ax=...)` draws the nodes reachable from `t.grad_fn` as boxes, one row per number of steps back
from the output, with arrows the way gradients flow. It is for pictures only: it returns the matplotlib axes, not
the nodes, it accepts only real autograd nodes, and it refuses graphs of more than `MAX_NODES` nodes (a picture of
more is unreadable anyway).
"""
from __future__ import annotations

import torch

MAX_NODES = 30


def _layout(t) -> tuple[list, list, dict]:
    """The nodes (in the order found), the edges (parent, child) and each node's row, for a small real graph."""
    root = getattr(t, "grad_fn", None)
    if root is None:
        raise ValueError("draw_graph: this tensor has no grad_fn (a leaf, or nothing that requires grad was used "
                         "to compute it), so there is no graph to draw")
    nodes, edges, todo = [], [], [root]
    while todo:
        node = todo.pop(0)
        if any(node is n for n in nodes):
            continue
        if not isinstance(node, torch.autograd.graph.Node):
            raise TypeError(f"draw_graph draws real autograd graphs only, found a {type(node).__name__}")
        nodes.append(node)
        if len(nodes) > MAX_NODES:
            raise ValueError(f"draw_graph draws small graphs only (at most {MAX_NODES} nodes): this one has more")
        for child, _ in node.next_functions:
            if child is not None:
                edges.append((node, child))
                todo.append(child)
    index = {id(n): i for i, n in enumerate(nodes)}
    row = [0] * len(nodes)
    for _ in nodes:              # longest path from the output: a node sits below every node that points to it
        for parent, child in edges:
            row[index[id(child)]] = max(row[index[id(child)]], row[index[id(parent)]] + 1)
    return nodes, [(index[id(p)], index[id(c)]) for p, c in edges], row


def _label(node, names: dict) -> str:
    label = type(node).__name__
    if label == "AccumulateGrad":
        leaf = node.variable
        name = next((k for k, v in names.items() if v is leaf), None)
        label += f"\n({name}.grad)" if name else f"\n(leaf {tuple(leaf.shape)})"
    return label


def draw_graph(t, names: dict | None = None, *, ax=None, title: str | None = None):
    """Draw the autograd graph behind tensor `t` (at most `MAX_NODES` nodes) and return the matplotlib axes.

    names: optional {name: leaf tensor}, to label each leaf's AccumulateGrad node with the `.grad` it fills.
    ax: the axes to draw into (a new figure when None); title: the axes' title.
    """
    import matplotlib.pyplot as plt

    nodes, edges, row = _layout(t)
    names = names or {}
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 1 + 1.1 * (max(row) + 1)))
    rows = {}
    for i, r in enumerate(row):
        rows.setdefault(r, []).append(i)
    pos = {}
    for r in sorted(rows):
        # keep children under their parents: order a row by the mean x of the nodes pointing to it
        def parent_x(i):
            xs = [pos[p][0] for p, c in edges if c == i and p in pos]
            return sum(xs) / len(xs) if xs else 0.0
        members = sorted(rows[r], key=parent_x)
        for k, i in enumerate(members):
            pos[i] = (k - (len(members) - 1) / 2, -r)
    labels = [_label(n, names) for n in nodes]
    for p, c in sorted(set(edges)):      # from the bottom of the parent's box to the top of the child's
        (px, py), (cx, cy) = pos[p], pos[c]
        top = 0.28 if "\n" in labels[c] else 0.15
        ax.annotate("", xy=(cx, cy + top), xytext=(px, py - 0.15),
                    arrowprops=dict(arrowstyle="->", color="gray", shrinkA=0, shrinkB=0))
    for i, (x, y) in pos.items():
        leaf = labels[i].startswith("AccumulateGrad")
        ax.text(x, y, labels[i], ha="center", va="center", fontsize=9,
                bbox=dict(boxstyle="round", facecolor="lightyellow" if leaf else "lightblue"))
    width = max(len(m) for m in rows.values())
    depth = max(row)
    ax.set_xlim(-width / 2 - 0.2, width / 2 + 0.2)
    ax.set_ylim(-depth - 0.5, 0.5)
    ax.set_xticks([])
    ax.set_yticks(range(0, -depth - 1, -1), [str(d) for d in range(depth + 1)])
    ax.set_xlabel("nodes the same number of steps from the output, side by side")
    ax.set_ylabel("steps back from the output")
    if title:
        ax.set_title(title)
    return ax
