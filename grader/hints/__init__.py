"""Hints on demand: `hint("one_hot")` shows the next level of help for an exercise, one level per call.

Why on demand: a hint that sits in plain sight (in a test cell, under the exercise) is read before the student has
tried anything, and then it has answered the exercise instead of helping with it. So the test cells only say what
is wrong and where to look, and a student who is stuck asks for more on purpose, one step at a time:

- level 1 says where to look (the section of the notebook, the property the result must have);
- level 2 gives the idea;
- level 3 (and 4) may name the tool, a function name, but never a line of the reference answer
  (`grader/authoring/hints.py` checks that).

The texts are package data, one JSON file per notebook beside this module, `<assignment>.json`, mapping each
exercise name to its 2 to 4 levels (short Markdown). Nothing here needs nbgrader or Jupyter: it works in Colab
and in a plain Python shell. In a notebook the level is shown as Markdown, elsewhere it is printed as text.
Exercise names are unique across the course (CURRICULUM.md), so `hint` needs no notebook name.
"""
from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib import resources

_shown: dict[str, int] = {}        # exercise -> the last level shown in this session


@lru_cache(maxsize=None)
def load(assignment: str) -> dict[str, list[str]]:
    """The hint levels of one notebook, {exercise: [level 1, level 2, ...]}; {} when it has no hint file."""
    path = resources.files(__name__) / f"{assignment}.json"
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    bad = [name for name, levels in data.items()
           if not (isinstance(levels, list) and levels and all(isinstance(t, str) and t.strip() for t in levels))
           ] if isinstance(data, dict) else ["(the file is not a JSON object)"]
    if bad:
        raise ValueError(f"{path}: each exercise needs a list of non-empty hint texts; not so for {bad}")
    return data


def assignments_with_hints() -> list[str]:
    """The notebooks that have a hint file, sorted."""
    return sorted(p.name[:-len(".json")] for p in resources.files(__name__).iterdir() if p.name.endswith(".json"))


def all_hints() -> dict[str, tuple[str, list[str]]]:
    """Every exercise with hints: {exercise: (assignment, levels)}."""
    found: dict[str, tuple[str, list[str]]] = {}
    for assignment in assignments_with_hints():
        for name, levels in load(assignment).items():
            if name in found:
                raise ValueError(f"exercise {name!r} has hints in both {found[name][0]}.json and {assignment}.json; "
                                 "exercise names must be unique across the course")
            found[name] = (assignment, levels)
    return found


def _levels_of(name) -> list[str]:
    if not isinstance(name, str):
        raise TypeError(f"hint() takes the exercise's name as a string, such as hint(\"one_hot\"); got {name!r}")
    known = all_hints()
    if name not in known:
        close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
        guess = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(f"no hints for an exercise named {name!r}.{guess} The exercise's name is the name of the "
                         f"function or class its answer cell defines; exercises with hints: {', '.join(sorted(known))}")
    return known[name][1]


def text(name: str, level: int) -> str:
    """The Markdown shown for one level (1-based) of an exercise's hints."""
    levels = _levels_of(name)
    return f"**Hint {level} of {len(levels)} for `{name}`**\n\n{levels[level - 1]}"


def hint(name: str, level: int | None = None) -> None:
    """Show the next level of help for the exercise `name` (the first call shows level 1, each later call the next).

    `level` asks for one level (1-based) instead; the next call then shows the one after it. Past the last level,
    it says so and where to look again. Nothing is returned: the hint is displayed.
    """
    levels = _levels_of(name)
    if level is None:
        level = _shown.get(name, 0) + 1
    elif isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= len(levels):
        raise ValueError(f"{name!r} has hint levels 1 to {len(levels)}; got level={level!r}")
    if level > len(levels):
        _display(f"**No more hints for `{name}`**: you have seen all {len(levels)} levels. Go back to the lesson "
                 f"the exercise practises, as level 1 said:\n\n> {levels[0]}\n\nRun `hint(\"{name}\", 1)` (up to "
                 f"{len(levels)}) to see a level again, and compare what your function returns, on a small input "
                 "of your own, with what the docstring asks for.")
        return
    _shown[name] = level
    _display(text(name, level))


def reset() -> None:
    """Forget which levels were shown: the next `hint(name)` starts at level 1 again."""
    _shown.clear()


def _display(markdown: str) -> None:
    """Markdown in a Jupyter kernel (and Colab), plain text anywhere else."""
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:
        get_ipython = None
    shell = get_ipython() if get_ipython else None
    if shell is not None and getattr(shell, "kernel", None) is not None:
        display(Markdown(markdown))
    else:
        print(markdown.replace("**", ""))
