import nbformat
import pytest

from grader.authoring.hints import key, prescriptive_fragments, solution_fragments, violations
from grader.course import SOLUTIONS, assignments, notebook_name


def _cell(kind, source, grade_id=None, solution=False, grade=False):
    cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
    if grade_id:
        cell.metadata["nbgrader"] = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": not solution,
                                     "points": 1 if grade else 0, "schema_version": 3}
    return cell


ANSWER = '''def channels_last(x):
    """Return x (N, C, H, W) as (N, H, W, C)."""
    ### BEGIN SOLUTION
    return x.permute(0, 2, 3, 1).mean(dim=1, keepdim=True).to(device).item()
    ### END SOLUTION
'''


def _notebook(test_source, lesson="Reorder dimensions with `permute`.", answer=ANSWER):
    return nbformat.v4.new_notebook(cells=[
        _cell("markdown", lesson),
        _cell("code", answer, "channels_last", solution=True),
        _cell("code", test_source, "test_channels_last", grade=True),
    ])


def _fragments(found):
    return {v.fragment for v in found}


def test_a_leak_in_a_hint_is_found():
    found = violations(_notebook('check(ok, "wrong order", hint="move C last with x.permute(0, 2, 3, 1)")\n'))
    assert _fragments(found) == {"permute(0, 2, 3, 1)"}
    assert found[0].exercise == "channels_last" and found[0].test_cell == "test_channels_last"


def test_whitespace_does_not_hide_a_leak():
    found = violations(_notebook("# try permute( 0,2, 3,   1 )\ncheck(ok, 'bad')\n"))
    assert _fragments(found) == {"permute(0, 2, 3, 1)"}


def test_a_keyword_with_its_call_is_found_whatever_the_other_arguments():
    found = violations(_notebook('check(ok, "bad", hint="x.mean(1, keepdim=True)")\n'))
    assert _fragments(found) == {"mean(..., keepdim=True)"}


def test_taught_in_the_lesson_or_given_in_the_prompt_is_not_a_leak():
    test = 'check(ok, "bad", hint="permute(0, 2, 3, 1), then mean(dim=1, keepdim=True)")\n'
    assert _fragments(violations(_notebook(test))) == {"permute(0, 2, 3, 1)", "mean(dim=1, keepdim=True)"}
    lesson = "```python\ny = x.permute(0, 2, 3, 1)\n```"
    assert _fragments(violations(_notebook(test, lesson=lesson))) == {"mean(dim=1, keepdim=True)"}
    prompt = ANSWER.replace('"""Return', '"""Use x.mean(dim=1, keepdim=True). Return')
    assert _fragments(violations(_notebook(test, answer=prompt))) == {"permute(0, 2, 3, 1)"}


def test_the_hidden_part_is_ignored():
    test = ('check(ok, "bad", hint="the channels must come last")\n'
            "### BEGIN HIDDEN TESTS\n"
            'check(ok, "bad", hint="x.permute(0, 2, 3, 1)")\n'
            "### END HIDDEN TESTS\n")
    assert violations(_notebook(test)) == []
    assert _fragments(violations(_notebook(test + "# permute(0, 2, 3, 1)\n"))) == {"permute(0, 2, 3, 1)"}


def test_trivial_fragments_are_not_flagged():
    test = 'y = channels_last(x.to(device))\ncheck(y.item() == 1, "bad", hint="call .item() and .to(device)")\n'
    assert violations(_notebook(test)) == []


def test_prescriptive_code_in_a_hint_is_found_even_when_the_solution_differs():
    test = 'check(ok, "bad", hint="use torch.movedim(x, 1, -1) before flattening")\n'
    assert _fragments(violations(_notebook(test))) == {"torch.movedim(x, 1, -1)"}
    assert _fragments(violations(_notebook('check(ok, "bad", hint="try `x.flatten(1)`")\n'))) == {"x.flatten(1)"}
    # a call with no arguments, or code in prose without an instruction word, is not prescriptive
    assert prescriptive_fragments('check(ok, "bad", hint="call model.eval() first; got f(x) = 3")\n') == []


def test_solution_fragments():
    texts = {f.text for f in solution_fragments("return [p.grad for p in m.parameters() if p.requires_grad][1:]")}
    assert texts == {"[p.grad for p in m.parameters() if p.requires_grad]",
                     "[p.grad for p in m.parameters() if p.requires_grad][1:]"}
    assert key("with  permute( 0, 1 )") == "with permute(0,1)"


@pytest.mark.parametrize("assignment", assignments())
def test_no_visible_test_gives_the_answer_away(assignment):
    nb = nbformat.read(str(SOLUTIONS / assignment / notebook_name(assignment)), as_version=4)
    found = violations(nb)
    assert not found, f"{assignment}: visible tests show code of the answer:\n" + "\n".join(f"  {v}" for v in found)
