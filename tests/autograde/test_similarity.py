"""The similarity report (grader/autograde/similarity.py): planted near-copies are found, independent answers are
not, and the reference solution and the release's stub never make two students a pair."""
import difflib
import html
import re
import shutil

import nbformat
import pytest

from answers import right_answers, wrong_answers
from grader.autograde import similarity
from grader.autograde.similarity import THRESHOLD, features, normalise, similar_pairs, similarity_report
from grader.cells import fill_answers, grade_id, is_answer, reference_answers
from grader.course import CONFIG, COURSE, SOLUTIONS, assignments, notebook_name

A = "01-tensors"

# An answer written another way than the reference, and near-copies of it.
ORIGINAL = '''def one_hot(labels, num_classes):
    # reject labels outside the range first
    if (labels < 0).any() or (labels >= num_classes).any():
        raise ValueError("a label is out of range")
    rows = torch.arange(labels.shape[0], device=labels.device)
    out = torch.zeros(labels.shape[0], num_classes, device=labels.device)
    out[rows, labels] = 1.0
    return out
'''
RENAMED = '''def one_hot(y, k):
    # reject labels outside the range first
    if (y < 0).any() or (y >= k).any():
        raise ValueError("a label is out of range")
    idx = torch.arange(y.shape[0], device=y.device)
    encoded = torch.zeros(y.shape[0], k, device=y.device)
    encoded[idx, y] = 1.0
    return encoded
'''
RECOMMENTED = '''def one_hot(labels, num_classes):

    if (labels < 0).any() or (labels >= num_classes).any():   # out of range?
        raise ValueError("a label is out of range")

    # one row per label
    rows = torch.arange(labels.shape[0],
                        device=labels.device)
    out = torch.zeros(labels.shape[0], num_classes, device=labels.device)  # all zeros

    out[rows, labels] = 1.0
    return (out)
'''
REORDERED = '''def one_hot(y, k):
    encoded = torch.zeros(y.shape[0], k, device=y.device)
    if (y < 0).any() or (y >= k).any():
        raise ValueError("a label is out of range")
    idx = torch.arange(y.shape[0], device=y.device)
    encoded[idx, y] = 1.0
    return encoded
'''
DOCSTRING = '''def one_hot(labels, num_classes):
    """Return a float32 tensor of shape (N, num_classes) with row i one-hot at column labels[i]."""
    if (labels < 0).any() or (labels >= num_classes).any():
        raise ValueError("a label is out of range")
    rows = torch.arange(labels.shape[0], device=labels.device)
    out = torch.zeros(labels.shape[0], num_classes, device=labels.device)
    out[rows, labels] = 1.0
    return out
'''
COPIES = {"renamed": RENAMED, "recommented": RECOMMENTED, "reordered": REORDERED, "docstring": DOCSTRING}


def _read(path):
    return nbformat.read(str(path), as_version=4)


def _common(assignment):
    """{exercise: [reference answer, release stub]}."""
    name = notebook_name(assignment)
    stubs = {grade_id(c): c.source for c in _read(COURSE / assignment / name).cells if is_answer(c)}
    return {g: [ref, stubs[g]] for g, ref in reference_answers(_read(SOLUTIONS / assignment / name)).items()}


def _statements_apart(a: str, b: str) -> int:
    """How many normalised statements one answer has that the other lacks (the fewer, in order or in any order)."""
    fa, fb = features(a), features(b)
    matched = sum(m.size for m in difflib.SequenceMatcher(None, fa.seq, fb.seq, autojunk=False).get_matching_blocks())
    in_order = max(len(fa.seq), len(fb.seq)) - matched
    return min(in_order, max(sum((fa.bag - fb.bag).values()), sum((fb.bag - fa.bag).values())))


@pytest.mark.parametrize("kind", sorted(COPIES))
def test_a_planted_near_copy_is_found(kind):
    pairs = similar_pairs({"ann": {"one_hot": ORIGINAL}, "ben": {"one_hot": COPIES[kind]}}, _common(A))
    assert pairs == {"one_hot": [("ann", "ben", 1.0)]}


def test_a_copy_with_one_statement_changed_in_ten_is_still_found():
    long = ORIGINAL.replace("    return out\n", "    out = out.float()\n    out = out.contiguous()\n    n = out.sum()\n"
                            "    assert n == labels.shape[0]\n    return out\n")
    changed = long.replace("out.contiguous()", "out.clone()")
    assert _statements_apart(long, changed) == 1
    assert similar_pairs({"ann": {"one_hot": long}, "ben": {"one_hot": changed}}, _common(A))["one_hot"][0][2] \
        == pytest.approx(0.9, abs=1e-3)


def test_normalise_drops_names_comments_and_docstrings_but_keeps_globals_and_attributes():
    assert normalise(ORIGINAL) == normalise(RENAMED) == normalise(RECOMMENTED) == normalise(DOCSTRING)
    assert "torch.zeros" in normalise(ORIGINAL) and "labels" not in normalise(ORIGINAL)
    assert normalise(ORIGINAL) != normalise(ORIGINAL.replace("torch.zeros", "torch.ones"))
    assert normalise(ORIGINAL) != normalise(ORIGINAL.replace(".shape[0]", ".shape[1]"))
    assert normalise("def f(x:\n    return x") is None
    assert normalise("%matplotlib inline\nx = 1\ny = x + 1") == "v0 = 1\nv1 = v0 + 1"   # a magic hides nothing


def test_reordering_keeps_who_is_who():
    """The order-free naming still tells locals apart: swapping the roles of two lists is a different answer."""
    counts = ("def f(xs, ys):\n    a = [0] * 3\n    b = [0] * 3\n    for x, y in zip(xs, ys):\n        a[x] += 1\n"
              "        b[y] += 1\n    return a, b\n")
    swapped = counts.replace("a[x]", "a[y]").replace("b[y]", "b[x]")
    reordered = counts.replace("    a = [0] * 3\n    b = [0] * 3\n", "    b = [0] * 3\n    a = [0] * 3\n")
    assert similarity.score(features(counts), features(reordered)) == 1.0
    assert similarity.score(features(counts), features(swapped)) < THRESHOLD


def test_short_answers_the_reference_and_the_stub_make_no_pair():
    common = _common(A)
    reference, stub = common["one_hot"]
    renamed_reference = re.sub(r"\boutside\b(?! \[)", "bad", reference).replace("result", "r")
    short = "def center_rows(x):\n    m = x.mean(1, True)\n    return x - m"               # two statements
    answers = {"ann": {"one_hot": reference, "center_rows": short},
               "ben": {"one_hot": renamed_reference, "center_rows": short.replace(" m", " mu")},
               "cat": {"one_hot": stub}, "dan": {"one_hot": stub}, "eve": {"one_hot": "def one_hot(:"}}
    assert normalise(renamed_reference) == normalise(reference)
    assert normalise(answers["ben"]["center_rows"]) == normalise(short)
    assert similar_pairs(answers, common) == {}


def test_two_students_who_each_change_the_reference_are_not_a_pair_unless_they_share_the_change():
    reference = _common("02-autograd")["LogSumExp"][0]
    one = reference.replace("torch.log(", "torch.log1p(")
    other = reference.replace("keepdim=True", "keepdim=False")
    assert similar_pairs({"ann": {"LogSumExp": one}, "ben": {"LogSumExp": other}}, _common("02-autograd")) == {}
    shared = one.replace("        ctx.save_for_backward", "        # same mistake\n        ctx.save_for_backward")
    assert similar_pairs({"ann": {"LogSumExp": one}, "ben": {"LogSumExp": shared}},
                         _common("02-autograd")) == {"LogSumExp": [("ann", "ben", 1.0)]}


@pytest.mark.parametrize("assignment", assignments())
def test_independent_answers_are_not_flagged(assignment):
    """The kept wrong and right answers, each as a student. Those were written independently of each other, but
    the wrong answers of one exercise were mostly written as one-line changes of one simpler base (no try/finally,
    `zero_grad()` without `set_to_none`, lists instead of bincount), so some pairs are genuinely one statement
    apart: generator_step (freezes_after_forward with left_frozen, no_zero_grad, steps_opt_D and zero_grad_D;
    left_frozen with no_freeze), discriminator_step (no_detach with inference_mode_fake and no_detach_zero_G_after),
    train_step_amp (no_autocast with float16 and no_dtype), train_step_fp16 (optimizer_step with
    optimizer_step_no_update), get_device (env_beats_prefer with env_ignored) and evaluate (gradients_recorded with
    train_mode). A report should list those; every other pair must stay below the threshold."""
    kept = wrong_answers(assignment) + right_answers(assignment)
    source = {a.name: a.source for a in kept}
    pairs = similar_pairs({a.name: {a.target: a.source} for a in kept}, _common(assignment))
    far = [(a, b, s, _statements_apart(source[a], source[b])) for found in pairs.values() for a, b, s in found]
    assert [p for p in far if p[3] > 1] == []


def _submit(root, student, nb, name=None):
    folder = root / "submitted" / student / A
    folder.mkdir(parents=True)
    target = folder / (name or notebook_name(A))
    target.write_text(nb if isinstance(nb, str) else nbformat.writes(nb))


def test_similarity_report_lists_the_planted_pair_only(tmp_path):
    root = tmp_path / "course-root"
    root.mkdir()
    shutil.copy(CONFIG, root / "nbgrader_config.py")
    release = _read(COURSE / A / notebook_name(A))
    reference = reference_answers(_read(SOLUTIONS / A / notebook_name(A)))
    _submit(root, "ann", fill_answers(release, {**reference, "one_hot": ORIGINAL}))
    _submit(root, "ben", fill_answers(release, {**reference, "one_hot": REORDERED}))
    _submit(root, "cat", fill_answers(release, reference))
    _submit(root, "dan", fill_answers(release, reference), name="mine.ipynb")      # renamed notebook
    _submit(root, "eve", release)                                                  # the untouched release
    _submit(root, "fay", release)
    _submit(root, "gus", "{ this is not a notebook")
    (root / "submitted" / "hal" / A).mkdir(parents=True)                           # nothing handed in

    path = similarity_report(A, root)
    assert path == root / "reports" / A / "similarity.html"
    page = path.read_text()
    assert page.count("<table>") == 1 and "<th>ann</th><th>ben</th>" in page
    assert "id='one_hot'" in page and "score 1.000" in page
    assert html.escape(ORIGINAL) in page and html.escape(REORDERED) in page and "(labels < 0)" not in page
    assert "NotImplementedError" not in page                                       # no stub shown
    assert html.escape(reference["one_hot"]) not in page                            # no reference shown
    for student in ("cat", "dan", "eve", "fay", "gus", "hal"):
        assert f"<th>{student}</th>" not in page
