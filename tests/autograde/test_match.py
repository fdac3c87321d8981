"""Graded cells that lost their nbgrader metadata in another editor (grader/autograde/match.py), matched again by
content: unit tests on 01-tensors notebooks made in memory, then a real batch through `autograde()`.

Colab replaces every cell's metadata with its own and drops the `nbgrader` block; `colab()` does the same here. The
batch needs `match.restore` wired into `job._grade_submission` (right after the notebook is read, before the
structure scan); `test_batch_*` fail until it is.
"""
import copy
import functools
import inspect
import random
import string

import nbformat
import pytest

import hostile
from grader.autograde import intake, job, match, prepare, scan
from grader.cells import fill_answers, grade_id, nbgrader_meta, reference_answers
from grader.course import COURSE, SOLUTIONS

A = hostile.A
WRONG_ONE_HOT = (hostile.REPO / "tests" / "wrong_answers" / A / "one_hot.width_from_labels.py").read_text()


@functools.cache
def _meta() -> dict:
    return prepare.load_template(A)[0]["meta"]


def meta() -> dict:
    return copy.deepcopy(_meta())


def release():
    return nbformat.read(str(COURSE / A / f"{A}.ipynb"), as_version=4)


def answers() -> dict:
    return reference_answers(nbformat.read(str(SOLUTIONS / A / f"{A}.ipynb"), as_version=4))


def colab(nb, seed: int = 0):
    """`nb` as Colab saves it: every cell's metadata replaced by Colab's own, a random cell id, no nbgrader block."""
    nb, rng = copy.deepcopy(nb), random.Random(seed)
    word = lambda n: "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))  # noqa: E731
    for cell in nb.cells:
        cell.metadata = {"id": word(12), "colab": {"base_uri": "https://localhost:8080/", "height": 35},
                         "outputId": f"{word(8)}-{word(4)}"}
        cell.id = word(12)
    return nb


def worker_reads(nb):
    """What the worker holds after intake: the notebook written to bytes and parsed again."""
    got, problem = intake.read_submission(nbformat.writes(nb).encode(), {"max_notebook_bytes": 0, "max_cells": 0})
    assert problem is None
    return got


def restored(nb):
    m = meta()
    nb, reasons = match.restore(worker_reads(nb), m)
    return nb, reasons, scan.structure(nb.cells, m["cells"], m["order"])


def ids(nb):
    return [grade_id(c) for c in nb.cells]


def graded_ids(nb):
    return [g for g in ids(nb) if g]


def _block(cell) -> dict:
    return {k: v for k, v in nbgrader_meta(cell).items() if k != "checksum"}


@pytest.mark.parametrize("kind", ["correct", "untouched", "one_wrong"])
def test_colab_notebook_gets_the_release_metadata_back(kind):
    filled = {"correct": answers(), "untouched": None, "one_wrong": {**answers(), "one_hot": WRONG_ONE_HOT}}[kind]
    original = fill_answers(release(), filled) if filled else release()
    nb, reasons, structure = restored(colab(original))
    assert graded_ids(nb) == meta()["order"] and structure == []
    assert [r[0] for r in reasons] == ["restored-metadata"] and f"{len(meta()['order'])} graded cells" in reasons[0][1]
    for mine, theirs in zip(nb.cells, original.cells):
        assert mine.source == theirs.source                                         # nothing moved or rewritten
        if grade_id(theirs):
            assert _block(mine) == {**_block(theirs), "task": False}                # the release's metadata
        assert "colab" in mine.metadata and "outputId" in mine.metadata             # the editor's stays
        if grade_id(mine):
            assert mine.id == grade_id(mine)
    assert len({c.id for c in nb.cells}) == len(nb.cells)
    nbformat.validate(nb)


def test_a_notebook_that_kept_its_metadata_is_left_alone():
    nb = worker_reads(fill_answers(release(), answers()))
    before = copy.deepcopy(nb)
    assert match.restore(nb, meta()) == (nb, []) and nb == before


def test_only_the_cells_that_lost_metadata_are_matched():
    nb = fill_answers(release(), answers())
    for cell in nb.cells:
        if grade_id(cell) in ("one_hot", "test_to_image"):
            cell.metadata = {"colab": {}}
    nb, reasons, structure = restored(nb)
    assert graded_ids(nb) == meta()["order"] and structure == []
    assert reasons == [("restored-metadata", "2 graded cells had lost their nbgrader metadata (edited outside "
                                             "Jupyter?) and were matched by content: ['one_hot', 'test_to_image']")]


def test_deleted_duplicated_and_reordered_cells_stay_where_the_student_put_them():
    nb = fill_answers(release(), answers())
    nb.cells = [c for c in nb.cells if c.cell_type == "code" and c.id != "01-c21"]   # lesson cells deleted
    i = ids(nb).index("one_hot")
    nb.cells.insert(i + 1, nbformat.v4.new_code_cell(nb.cells[i].source + "\n# again"))   # a copied answer
    t = ids(nb).index("test_center_rows")
    nb.cells.insert(t + 1, copy.deepcopy(nb.cells[t]))                           # a copied test cell
    nb.cells.insert(0, nb.cells.pop([c.id for c in nb.cells].index("01-c30")))   # a lesson cell moved up
    nb.cells.append(nbformat.v4.new_code_cell("scratch = one_hot(torch.tensor([1]), 3)"))
    sources = [c.source for c in nb.cells]
    nb, reasons, structure = restored(colab(nb, seed=1))
    assert [c.source for c in nb.cells] == sources
    assert graded_ids(nb) == meta()["order"] and structure == []               # first copies only
    assert ids(nb)[ids(nb).index("one_hot") + 1] is None                        # the copies stay plain code
    assert ids(nb)[ids(nb).index("test_center_rows") + 1] is None


def test_reordered_graded_cells_are_matched_where_they_are():
    nb = fill_answers(release(), answers())
    a, t = ids(nb).index("flat_features"), ids(nb).index("test_flat_features")
    nb.cells[a], nb.cells[t] = nb.cells[t], nb.cells[a]
    nb, _, structure = restored(colab(nb))
    assert ids(nb)[a:t + 1] == ["test_flat_features", "flat_features"]
    assert [r[0] for r in structure] == ["reordered-cells"]


@pytest.mark.parametrize("minor", [4, 0])
def test_nbformat_before_4_5_without_cell_ids(minor):
    nb = colab(fill_answers(release(), answers()))
    nb.nbformat_minor = minor
    for cell in nb.cells:
        del cell["id"]
    got, problem = intake.read_submission(nbformat.writes(nb).encode(), {})
    assert problem is None and got.nbformat_minor == minor                      # nbformat does not upgrade on read
    got, reasons = match.restore(got, meta())
    assert graded_ids(got) == meta()["order"] and reasons
    assert all("id" not in c for c in got.cells)                                 # no ids where the format has none
    nbformat.validate(got)
    assert graded_ids(nbformat.reads(nbformat.writes(got), as_version=4)) == meta()["order"]


def test_an_edited_or_deleted_test_cell_is_not_recreated():
    nb = fill_answers(release(), answers())
    edited = ids(nb).index("test_one_hot")
    nb.cells[edited].source = nb.cells[edited].source.replace("device=device", "device='cpu'", 1)
    nb.cells = [c for c in nb.cells if grade_id(c) != "test_to_image"]
    count = len(nb.cells)
    nb, reasons, structure = restored(colab(nb))
    assert len(nb.cells) == count and ids(nb)[edited] is None
    assert "test_one_hot" not in reasons[0][1]
    assert structure == [("deleted-cells", "graded cells missing from the notebook (0 points each): "
                                           "['test_one_hot', 'test_to_image']")]


def test_whitespace_differences_still_match():
    nb = colab(fill_answers(release(), answers()))
    t = ids(release()).index("test_one_hot")
    nb.cells[t].source = "\n" + nb.cells[t].source.replace("\n", "   \r\n") + "\n\n"
    nb, _, _ = restored(nb)
    assert ids(nb)[t] == "test_one_hot"


def test_an_answer_is_found_by_the_name_it_defines():
    nb = fill_answers(release(), answers())
    a = ids(nb).index("one_hot")
    nb.cells[a].source = "%%time\n" + nb.cells[a].source.replace("def one_hot(", "def onehot(")   # renamed
    first = ids(nb).index("center_rows")
    nb.cells.insert(first, nbformat.v4.new_code_cell("import math\nif True:\n    center_rows = lambda x: x"))
    nb, reasons, structure = restored(colab(nb))
    assert ids(nb)[first] == "center_rows" and ids(nb)[first + 1] is None      # the first that defines it
    assert "one_hot" not in graded_ids(nb)
    assert ("deleted-cells", "graded cells missing from the notebook (0 points each): ['one_hot']") in structure


def test_magics_do_not_hide_an_answer():
    nb = fill_answers(release(), answers())
    a = ids(nb).index("to_image")
    nb.cells[a].source = "%load_ext autoreload\n!ls\n" + nb.cells[a].source
    nb, _, _ = restored(colab(nb))
    assert ids(nb)[a] == "to_image"


def test_other_metadata_and_hostile_cells_are_left_alone():
    nb = colab(fill_answers(release(), answers()))
    extra = nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {"grade": True, "grade_id": "extra",
                                                                      "points": "lots"}})
    nb.cells.append(extra)
    t = ids(release()).index("test_one_hot")
    nb.cells[t].metadata.update(editable="no", tags="not a list", scrolled="auto")
    nb, _, _ = restored(nb)
    assert nb.cells[-1].metadata == extra.metadata                              # left to nbgrader, as before
    assert {"editable", "tags"}.isdisjoint(nb.cells[t].metadata) and nb.cells[t].metadata["scrolled"] == "auto"
    nbformat.validate(nb)
    odd = {"cells": [1, {"cell_type": "code", "source": None, "metadata": []}, {"cell_type": "raw"}]}
    assert match.restore(odd, meta()) == (odd, [])


def test_defines_reads_only_top_level_bindings():
    assert match.defines("def f(): pass", "f") and match.defines("class f: pass", "f")
    assert match.defines("a, (f, b) = 1, (2, 3)", "f") and match.defines("f: int = 1", "f")
    assert match.defines("try:\n    f = 1\nexcept Exception:\n    f = 2", "f")
    assert not match.defines("def g():\n    f = 1", "f") and not match.defines("print(f)", "f")
    assert not match.defines("f(", "f") and not match.defines("x = 1", "f")


# ---- the real batch: the grader's autograde() on Colab-style submissions -------------------------------------

BATCH = {"colab_correct": hostile.FULL, "colab_untouched": 0.0, "colab_one_wrong": hostile.FULL - hostile.ONE_HOT,
         "colab_nbformat_4_4": hostile.FULL}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    if "match.restore(" not in inspect.getsource(job):
        pytest.fail("job._grade_submission does not call match.restore yet (see grader/autograde/match.py)")
    root = tmp_path_factory.mktemp("match")
    (root / "nbgrader_config.py").write_text((hostile.REPO / "nbgrader_config.py").read_text())
    subs = root / "submitted"
    old = colab(fill_answers(release(), answers()), seed=4)
    old.nbformat_minor = 4
    for cell in old.cells:
        del cell["id"]
    notebooks = {"colab_correct": colab(fill_answers(release(), answers()), seed=1),
                 "colab_untouched": colab(release(), seed=2),
                 "colab_one_wrong": colab(fill_answers(release(), {**answers(), "one_hot": WRONG_ONE_HOT}), seed=3),
                 "colab_nbformat_4_4": old}
    for student, nb in notebooks.items():
        hostile.put(subs, student, nb)
    return hostile.autograde(A, hostile.options(), root=root, submissions=subs, progress=False)


@pytest.mark.parametrize("student", sorted(BATCH))
def test_batch_scores_colab_submissions_by_content(batch, student):
    row = batch["students"][student]
    failed = {g: c["message"][:120] for g, c in row["cells"].items() if not c["passed"]}
    assert row["score"] == BATCH[student], f"{student}: {row['score']}; {row['reasons']}; failed {failed}"
    assert "restored-metadata" in {r[0] for r in row["reasons"]}
    assert not {r[0] for r in row["reasons"]} & {"grader-error", "deleted-cells", "tampering"}, row["reasons"]
    if student == "colab_one_wrong":
        assert set(failed) == {"test_one_hot"}
