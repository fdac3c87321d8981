import pytest
import torch

from grader.checks import CheckFailed, check, check_close, check_equal, check_raises, check_tensor


def failure(fn, *args, **kwargs) -> str:
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_check_passes_and_fails_with_hint():
    check(True, "never shown")
    msg = failure(check, False, "the thing is wrong", hint="do the other thing")
    assert msg == "the thing is wrong\nHint: do the other thing"


def test_check_failed_is_an_assertion_error():
    # nbgrader (and students) treat AssertionError as a failed test, not a crash.
    assert issubclass(CheckFailed, AssertionError)


def test_check_equal_shows_both_values():
    check_equal(3, 3)
    msg = failure(check_equal, 4, 3, what="count")
    assert "count: expected 3, got 4." in msg


def test_check_raises_returns_the_exception():
    def boom():
        raise ValueError("bad label")
    assert str(check_raises(ValueError, boom)) == "bad label"


def test_check_raises_names_wrong_exception_and_no_exception():
    def wrong():
        raise RuntimeError("index out of bounds")
    assert "wrong raised RuntimeError: index out of bounds; expected ValueError" in failure(check_raises, ValueError, wrong)
    assert "returned normally; expected it to raise ValueError" in failure(check_raises, ValueError, lambda: None)


def test_check_tensor_reports_each_differing_property():
    t = torch.zeros(2, 3, dtype=torch.long)
    msg = failure(check_tensor, t, shape=(2, 4), dtype=torch.float32, device="cpu", requires_grad=False,
                  what="one_hot", hint="use float32")
    lines = msg.splitlines()
    assert lines[0] == "one_hot has the wrong form:"
    assert any(ln.split()[:3] == ["shape", "(2,", "4)"] and ln.endswith("<- differs") for ln in lines)
    assert any(ln.split()[0] == "dtype" and "torch.int64" in ln and ln.endswith("<- differs") for ln in lines)
    assert any(ln.split()[0] == "device" and not ln.endswith("<- differs") for ln in lines)
    assert lines[-1] == "Hint: use float32"


def test_check_tensor_rejects_non_tensors():
    assert "should be a torch.Tensor, got list" in failure(check_tensor, [1, 2], shape=(2,))


def test_check_tensor_device_without_index_matches_any_index():
    check_tensor(torch.zeros(1), device=torch.device("cpu"))


def test_check_close_passes_within_tolerance():
    check_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-7]))


def test_check_close_reports_largest_errors_and_where():
    expected = torch.zeros(2, 3)
    actual = expected.clone()
    actual[1, 2] = 0.5
    msg = failure(check_close, actual, expected, what="result")
    assert "1 of 6 elements differ" in msg
    assert "largest absolute error 0.5 at index (1, 2): got 0.5, expected 0" in msg
    assert "largest relative error" in msg


def test_check_close_reports_dtype_before_values():
    msg = failure(check_close, torch.ones(2, dtype=torch.long), torch.ones(2))
    assert "dtype" in msg and "<- differs" in msg
    assert "elements differ" not in msg  # values are equal once cast


def test_check_close_shape_mismatch_skips_value_report():
    msg = failure(check_close, torch.ones(3), torch.ones(2))
    assert "shape" in msg and "elements differ" not in msg


def test_check_close_treats_matching_nans_as_equal_and_lone_nans_as_errors():
    check_close(torch.tensor([float("nan"), 1.0]), torch.tensor([float("nan"), 1.0]))
    assert "largest absolute error inf" in failure(check_close, torch.tensor([float("nan")]), torch.tensor([1.0]))


def test_check_close_can_ignore_dtype_and_device():
    check_close(torch.ones(2, dtype=torch.float64), torch.ones(2), check_dtype=False, check_device=False)


def test_failing_checks_show_the_callers_line_and_message_in_a_real_kernel(tmp_path):
    # IPython always prints the innermost frame, whatever `__tracebackhide__` says, so the helpers strip their
    # own frames; only a real kernel shows what a student sees under a failing test cell.
    import re
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    repo = Path(__file__).resolve().parents[1]
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import torch\nfrom grader import check, check_close, check_equal, check_raises"),
        nbformat.v4.new_code_cell("answer = 3\ncheck_equal(answer, 4, what='answer', hint='count again')"),
        nbformat.v4.new_code_cell("check_close(torch.ones(2), torch.zeros(2), what='the tensor')"),
        nbformat.v4.new_code_cell("def student(x):\n    return x[5]\n\n"
                                  "check_raises(ValueError, student, [1, 2], hint='raise ValueError yourself')"),
    ]
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(repo)}}).execute()
    shown = []
    for cell in nb.cells[1:]:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert [e.ename for e in errors] == ["CheckFailed"], cell.outputs
        shown.append(re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(errors[0].traceback)))
    for text in shown:
        assert "checks.py" not in text and "skipping hidden" not in text, text
    assert "check_equal(answer, 4, what='answer', hint='count again')" in shown[0]
    assert "CheckFailed: answer: expected 4, got 3.\nHint: count again" in shown[0]
    assert "check_close(torch.ones(2), torch.zeros(2), what='the tensor')" in shown[1]
    assert "the tensor does not match the expected tensor:" in shown[1]
    # the student's own error stays visible as the context, from the student's line on
    assert "IndexError" in shown[2] and "return x[5]" in shown[2]
    assert "student raised IndexError: list index out of range; expected ValueError." in shown[2]
