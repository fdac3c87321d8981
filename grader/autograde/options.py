"""Every option of the course grader, declared once: its name, default and help.

The options are traitlets, like nbgrader's own, so an instructor sets them in the course's `nbgrader_config.py`
(`c.GraderOptions.cell_timeout = 300`) next to nbgrader's settings; the command line of
`python -m grader autograde` is generated from the same declarations and overrides the file.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from traitlets import Bool, Enum, Integer, List, TraitType, Unicode
from traitlets.config import Config, Configurable
from traitlets.config.loader import PyFileConfigLoader


class GraderOptions(Configurable):
    """How `python -m grader autograde` grades a batch."""

    workers = Integer(0, help="worker processes that grade side by side (0: one per core)").tag(config=True)
    cell_timeout = Integer(
        120, help="seconds one cell may run before its kernel is killed (the grader grades in the quick profile, "
                  "where every cell takes seconds; nbgrader's own ExecutePreprocessor.timeout is for "
                  "`nbgrader validate` in the full profile)").tag(config=True)
    submission_timeout = Integer(600, help="seconds a whole notebook may run, kernel start included").tag(config=True)
    memory_mb = Integer(
        12288, help="MB of address space per kernel (torch's CUDA build maps several GB it never touches, so "
                    "4096 is too little even on a CPU)").tag(config=True)
    max_output_bytes = Integer(2_000_000, help="bytes a notebook may print, all cells together; past them the "
                                               "kernel is stopped").tag(config=True)
    max_notebook_bytes = Integer(
        10_000_000, help="bytes a submitted notebook may have; a larger one is not graded (oversized-notebook, 0 "
                         "points). The releases have under 200 kB, outputs included (0: no limit)").tag(config=True)
    extra_files = List(
        Unicode(), [], help="names of files, besides the notebook, that a submission may hand in (a data file the "
                            "assignment asks for); they are put in the kernel's working folder. Nothing else a "
                            "student hands in is taken: a file beside the notebook could shadow a module").tag(
        config=True)
    max_cells = Integer(
        2000, help="cells a submitted notebook may have; more are not graded (oversized-notebook, 0 points). A "
                   "fixed cap, about 20 times the largest release (100 cells), not a multiple of each release: "
                   "nbgrader's cost grows with the cell count, whatever the assignment (0: no limit)"
    ).tag(config=True)
    scheduler = Unicode(None, allow_none=True, help="address of a Dask scheduler (tcp://host:8786): the jobs "
                                                    "run on that cluster instead of local workers").tag(config=True)
    device = Enum(["cpu", "cuda", "cuda-sim"], None, allow_none=True,
                  help="COURSE_DEVICE of the kernels (default: COURSE_DEVICE of this shell, else CUDA when "
                       "available); cuda-sim grades device placement without a GPU").tag(config=True)
    confine = Bool(True, help="confine each kernel in its own mount namespace when the grader is root; off: the "
                              "limits and tamper checks still apply").tag(config=True)
    fork_kernels = Bool(True, help="start each kernel by forking a template that has imported torch and the rest "
                                   "once per worker, confined like a cold kernel (docs/grader.md); off: a fresh "
                                   "Python per kernel").tag(config=True)
    cache = Bool(True, help="reuse the assignment template and reference run cached from an earlier batch "
                            "(they are rebuilt anyway when the solutions or the grader change)").tag(config=True)

    @classmethod
    def load(cls, root: Path | None = None, **overrides) -> "GraderOptions":
        """The options of the course at `root` (its nbgrader_config.py, when there is one), then `overrides`."""
        config = Config()
        path = Path(root or ".") / "nbgrader_config.py"
        if path.is_file():
            config.merge(PyFileConfigLoader(path.name, str(path.parent)).load_config())
        return cls(config=config, **{k: v for k, v in overrides.items() if v is not None})

    def values(self) -> dict:
        return {name: getattr(self, name) for name in self.trait_names(config=True)}


def _argument(trait: TraitType) -> dict:
    kwargs = {"default": None, "help": f"{trait.help} (default: {trait.default_value})"}
    if isinstance(trait, Bool):
        return {**kwargs, "action": argparse.BooleanOptionalAction}
    if isinstance(trait, List):
        return {**kwargs, "action": "append", "metavar": "NAME"}
    if isinstance(trait, Enum):
        return {**kwargs, "choices": list(trait.values)}
    return {**kwargs, "type": int if isinstance(trait, Integer) else str, "metavar": trait.name.upper()}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per option (`--cell-timeout`, `--confine/--no-confine`, ...), left unset unless given, so that
    nbgrader_config.py decides what the command line does not."""
    group = parser.add_argument_group("grader options (also settable as c.GraderOptions.<name> in nbgrader_config.py)")
    for name, trait in sorted(GraderOptions.class_traits(config=True).items()):
        group.add_argument(f"--{name.replace('_', '-')}", dest=name, **_argument(trait))


def from_arguments(args: argparse.Namespace, root: Path) -> GraderOptions:
    return GraderOptions.load(root, **{name: getattr(args, name) for name in GraderOptions.class_trait_names(
        config=True)})
