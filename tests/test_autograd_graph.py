import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

import grader  # noqa: E402
from grader.autograd_graph import MAX_NODES, draw_graph  # noqa: E402


def lesson_graph():
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(3.0, requires_grad=True)
    return torch.sin(a * b + torch.exp(a)) * 2, a, b


def boxes(ax) -> list:
    return [t for t in ax.texts if not isinstance(t, Annotation)]


def arrows(ax) -> list:
    return [t for t in ax.texts if isinstance(t, Annotation)]


def test_draws_every_node_once_on_its_row_with_one_arrow_per_edge():
    out, a, b = lesson_graph()
    fig, ax = plt.subplots()
    assert draw_graph(out, {"a": a, "b": b}, ax=ax, title="lesson") is ax
    drawn = sorted((t.get_text(), -t.get_position()[1]) for t in boxes(ax))
    # a's AccumulateGrad is reached twice (from a·b and from exp(a)) and drawn once, below both
    assert drawn == [("AccumulateGrad\n(a.grad)", 4), ("AccumulateGrad\n(b.grad)", 4), ("AddBackward0", 2),
                     ("ExpBackward0", 3), ("MulBackward0", 0), ("MulBackward0", 3), ("SinBackward0", 1)]
    assert len(arrows(ax)) == 7
    assert ax.get_title() == "lesson" and ax.get_xlabel() and ax.get_ylabel()
    plt.close(fig)


def test_leaves_without_a_name_show_their_shape_and_a_new_figure_is_made():
    w = torch.ones(2, 3, requires_grad=True)
    ax = draw_graph((w * 2).sum())
    assert {t.get_text() for t in boxes(ax)} == {"SumBackward0", "MulBackward0", "AccumulateGrad\n(leaf (2, 3))"}
    plt.close(ax.figure)


def test_an_input_used_twice_gets_one_arrow():
    a = torch.tensor(2.0, requires_grad=True)
    ax = draw_graph(a * a, {"a": a})
    assert sorted(t.get_text() for t in boxes(ax)) == ["AccumulateGrad\n(a.grad)", "MulBackward0"]
    assert len(arrows(ax)) == 1
    plt.close(ax.figure)


def test_refuses_what_it_cannot_draw():
    with pytest.raises(ValueError, match="no grad_fn"):
        draw_graph(torch.ones(3, requires_grad=True))
    with pytest.raises(ValueError, match="no grad_fn"):
        draw_graph(torch.ones(3) * 2)
    y = torch.ones(2, requires_grad=True)
    for _ in range(MAX_NODES):
        y = torch.sin(y)
    with pytest.raises(ValueError, match=f"at most {MAX_NODES} nodes"):
        draw_graph(y)

    class Fake:
        next_functions = ()

    class Holder:
        grad_fn = Fake()

    with pytest.raises(TypeError, match="real autograd graphs"):
        draw_graph(Holder())


def test_exported_from_grader():
    assert grader.draw_graph is draw_graph
