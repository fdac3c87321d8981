"""The Colab install lines and badges come from pyproject.toml's one address, stamping is idempotent, and the
notebooks and the README agree with that address. (`make test-colab` runs the install path itself.)"""
import shutil
import subprocess
import sys

import nbformat
import pytest

from grader.authoring import setup_cell
from grader.course import REPO, SOLUTIONS, assignments, notebook_name

ASSIGNMENTS = assignments()


@pytest.fixture
def copy(tmp_path):
    """A copy of 01-tensors' solution notebook, and a pyproject.toml whose address can be changed."""
    nb = tmp_path / "01-tensors.ipynb"
    shutil.copy(SOLUTIONS / "01-tensors" / "01-tensors.ipynb", nb)
    pyproject = tmp_path / "pyproject.toml"
    shutil.copy(REPO / "pyproject.toml", pyproject)
    return nb, pyproject


def test_addresses_come_from_pyproject(copy):
    _, pyproject = copy
    text = pyproject.read_text()
    address, version = setup_cell.project(pyproject)
    pyproject.write_text(text.replace(address, "https://github.com/someone/elsewhere"))
    assert setup_cell.install_source(pyproject) == f"git+https://github.com/someone/elsewhere.git@v{version}"
    assert setup_cell.colab_url("02-autograd", pyproject) == (
        f"https://colab.research.google.com/github/someone/elsewhere/blob/v{version}/course/02-autograd/02-autograd.ipynb")
    pyproject.write_text(text.replace(address, "https://gitlab.com/someone/elsewhere"))
    with pytest.raises(ValueError, match="github.com"):
        setup_cell.colab_url("02-autograd", pyproject)


def test_stamping_rewrites_two_cells_once(copy):
    nb_path, pyproject = copy
    before = nbformat.read(str(nb_path), as_version=4)
    setup_cell.stamp_notebook(nb_path, pyproject)
    first = nb_path.read_bytes()
    assert setup_cell.stamp_notebook(nb_path, pyproject) is False and nb_path.read_bytes() == first
    after = nbformat.read(str(nb_path), as_version=4)
    index = setup_cell.setup_cell_index(after)
    changed = [i for i, (a, b) in enumerate(zip(before.cells, after.cells)) if a != b]
    assert set(changed) <= {0, index} and len(after.cells) == len(before.cells)
    assert after.cells[index].source.startswith(setup_cell.install_block(pyproject))
    assert after.cells[index].source.count("import grader\n") == 1
    assert after.cells[0].source.count("Open in Colab") == 1 and "File → Download" in after.cells[0].source
    assert setup_cell.notebook_problems(nb_path, pyproject) == []


def test_a_new_address_replaces_the_old_one(copy):
    nb_path, pyproject = copy
    setup_cell.stamp_notebook(nb_path, pyproject)
    old = setup_cell.project(pyproject)[0]
    pyproject.write_text(pyproject.read_text().replace(old, "https://github.com/someone/elsewhere"))
    assert setup_cell.notebook_problems(nb_path, pyproject)
    assert setup_cell.stamp_notebook(nb_path, pyproject) is True
    nb = nbformat.read(str(nb_path), as_version=4)
    text = nb.cells[0].source + nb.cells[setup_cell.setup_cell_index(nb)].source
    assert old not in text and text.count("someone/elsewhere") == 2
    assert setup_cell.notebook_problems(nb_path, pyproject) == []


def test_install_lines_say_nothing_where_the_package_is_installed():
    run = subprocess.run([sys.executable, "-c", setup_cell.install_block()], capture_output=True, text=True,
                         cwd="/", env={"COURSE_PACKAGE": "/nonexistent.whl", "PATH": "/usr/bin:/bin"})
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


def test_install_lines_install_from_course_package_and_say_so_once(tmp_path):
    """Without the package, the lines run pip on $COURSE_PACKAGE (here a fake pip that records its arguments)."""
    fake = tmp_path / "site" / "pip"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "__main__.py").write_text("import sys; open(sys.argv[0] + '.args', 'w').write(' '.join(sys.argv[1:]))")
    blocker = ("import sys\nclass B:\n    def find_spec(self, name, path=None, target=None):\n"
               "        if name == 'grader': raise ModuleNotFoundError(name)\nsys.meta_path.insert(0, B())\n")
    run = subprocess.run([sys.executable, "-c", blocker + setup_cell.install_block()], capture_output=True,
                         text=True, cwd=tmp_path, env={"COURSE_PACKAGE": "/wheels/course.whl",
                                                       "PYTHONPATH": str(tmp_path / "site")})
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"{setup_cell.INSTALL_LINE} /wheels/course.whl\n"
    assert (fake / "__main__.py.args").read_text() == "install -qq /wheels/course.whl"


def test_readme_links_agree_with_pyproject():
    readme = REPO / "README.md"
    assert "colab.research.google.com/github/" in readme.read_text()
    assert setup_cell.link_problems(readme) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_notebooks_are_stamped(assignment):
    problems = setup_cell.notebook_problems(SOLUTIONS / assignment / notebook_name(assignment))
    assert not problems, "run `python -m grader stamp-setup` and `make release`:\n" + "\n".join(problems)
