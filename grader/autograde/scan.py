"""Static checks on a submission before it runs: tampering that can be seen in the source, and damage to the
notebook's graded structure (deleted, duplicated, reordered or edited graded cells)."""
from __future__ import annotations

import ast
import hashlib

from grader import CHECK_HELPERS
from grader.cells import grade_id

WATCHED_MODULES = {"torch", "np", "numpy", "math", "builtins", "grader", "checks", "sys", "os", "F", "nn",
                   "IPython", "__builtins__", "linecache", "inspect", "gc", "importlib"}
BARE_CALLS = {"setattr", "delattr", "__import__", "get_ipython", "globals", "exec", "eval", "compile", "vars",
              "breakpoint"}
METHOD_CALLS = {"settrace", "setprofile", "_getframe", "__setattr__", "__delattr__", "__setitem__"}
PROTECTED = {*CHECK_HELPERS, "CheckFailed", "torch", "np"}      # names a cell may not rebind
# Killing the kernel (os._exit, signals, ctypes) is not tampering: the run-time limits handle it.
FORBIDDEN_NAMES = {"gc", "inspect", "builtins", "__builtins__", "linecache", "importlib", "GRADER_RECORD_DIR",
                   "GRADER_SANDBOX", "get_ipython", "settrace", "excepthook", "showtraceback"}


def _root_name(node) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


# What the protected names are when a cell imports them itself: anything else bound to them is an impostor.
REAL_IMPORTS = {"torch": {"torch"}, "np": {"numpy"}}


def _binds_the_real_thing(node, alias) -> bool:
    name = alias.asname or alias.name.split(".")[0]
    if isinstance(node, ast.Import):
        return (alias.name if alias.asname else alias.name.split(".")[0]) in REAL_IMPORTS.get(name, ())
    return node.module in ("grader", "grader.checks") and alias.name == name


def tampering(source: str) -> list[str]:
    """What in this cell's source reaches into the modules or machinery the tests rely on (empty: nothing)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []            # it fails when it runs; not tampering
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Attribute) and _root_name(sub) in WATCHED_MODULES:
                    found.append(f"assigns {ast.unparse(sub)} (line {node.lineno})")
                if isinstance(sub, ast.Name) and sub.id in PROTECTED and isinstance(sub.ctx, (ast.Store, ast.Del)):
                    found.append(f"rebinds {sub.id} (line {node.lineno})")
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension, ast.withitem, ast.NamedExpr)):
            bound = [node.target] if not isinstance(node, ast.withitem) else [node.optional_vars]
            for sub in (n for b in bound if b is not None for n in ast.walk(b)):
                if isinstance(sub, ast.Name) and sub.id in PROTECTED:
                    found.append(f"rebinds {sub.id} (line {getattr(node, 'lineno', getattr(sub, 'lineno', '?'))})")
        if isinstance(node, ast.Global):
            found += [f"declares global {n} (line {node.lineno})" for n in node.names if n in PROTECTED]
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                if name in PROTECTED and not _binds_the_real_thing(node, alias):
                    found.append(f"imports something else as {name} (line {node.lineno})")
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in (*CHECK_HELPERS, "CheckFailed"):
            found.append(f"redefines {node.name} (line {node.lineno})")
        if isinstance(node, ast.Call):
            fn = node.func
            if (isinstance(fn, ast.Attribute) and fn.attr in METHOD_CALLS) or (
                    isinstance(fn, ast.Name) and fn.id in BARE_CALLS):
                found.append(f"calls {ast.unparse(fn)} (line {node.lineno})")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module
                                                   else [])
            for mod in mods:
                if set(mod.split(".")) & (FORBIDDEN_NAMES | {"autograde", "record"}):
                    found.append(f"imports {mod} (line {node.lineno})")
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES and not isinstance(node.ctx, ast.Store):
            found.append(f"uses {node.id} (line {node.lineno})")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in FORBIDDEN_NAMES:
            found.append(f"names {node.value!r} (line {node.lineno})")
    return sorted(set(found))


def checksum(source: str) -> str:
    return hashlib.md5(source.strip().encode()).hexdigest()


def structure(cells, source_cells: dict[str, dict], order: list[str]) -> list[tuple[str, str]]:
    """Reasons about the graded cells of a submitted notebook, compared with the assignment's.

    `source_cells`: {grade_id: {"source": ..., "locked": bool}}; `order`: the grade_ids in the assignment's order.
    """
    reasons = []
    ids = [grade_id(c) for c in cells]
    present = [i for i in ids if i in source_cells]
    seen = set()
    dups = sorted({i for i in present if i in seen or seen.add(i)})
    if dups:
        reasons.append(("duplicated-cells", f"graded cells appear more than once (the first is kept): {dups}"))
    missing = [g for g in order if g not in present]
    if missing:
        reasons.append(("deleted-cells", f"graded cells missing from the notebook (0 points each): {missing}"))
    firsts = list(dict.fromkeys(present))
    if firsts != [g for g in order if g in firsts]:
        reasons.append(("reordered-cells", "graded cells are not in the assignment's order"))
    edited = sorted({i for c, i in zip(cells, ids) if i in source_cells and source_cells[i]["locked"]
                     and checksum(c.get("source", "")) != checksum(source_cells[i]["source"])})
    if edited:
        reasons.append(("edited-locked-cells", f"locked cells were edited; the originals were restored: {edited}"))
    return reasons
