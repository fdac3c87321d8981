import nbformat

from grader.authoring.outputs import KERNELSPEC, normalize


def test_normalize_drops_volatile_metadata():
    cell = nbformat.v4.new_code_cell("1")
    cell.metadata.update({"execution": {"iopub.status.busy": "2026-01-01"}, "tags": ["x"], "nbgrader": {"a": 1},
                          "scrolled": True})
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"language_info": {"name": "python", "version": "3.11.7"}})
    normalize(nb)
    assert nb.metadata == {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    assert cell.metadata == {"tags": ["x"], "nbgrader": {"a": 1}}


def test_committed_solutions_are_normalized():
    from grader.course import SOLUTIONS, assignments, notebook_name
    for assignment in assignments():
        nb = nbformat.read(str(SOLUTIONS / assignment / notebook_name(assignment)), as_version=4)
        assert nb.metadata.get("language_info") == {"name": "python"}, assignment
        assert not any("execution" in c.metadata for c in nb.cells), assignment
