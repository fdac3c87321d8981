"""Test cells run against the real objects, whatever the notebook bound to the names they read.

A test cell reads names from the notebook's namespace: `torch`, `np`, `F`, the check helpers, `device`, builtins
such as `sum`, `zip` or `type`. Student code can rebind any of them in ways no static scan sees (`for torch in
[proxy]`, `import fake as torch`, `with ... as np`, `:=`, `global`, a function named `type`), and a test cell that
then computes its expected values or inspects the answer through the impostor can be fooled.

Grader side (`protected_names`): from the solution notebook, the names its test cells read that are not the
exercises themselves, each with where its real object comes from (an import the notebook makes, a builtin, the
course device). Names of lesson variables are not protected: a test cell should not rely on them.

Kernel side (`install`, before any student code): every protected name is resolved once, from the modules
themselves, and put back into the namespace before each test cell runs (test cells are known by the hash of their
source). A name found rebound is remembered and reported with the checks (`rebound`), so the instructor sees it;
the test cell has run against the real object, so the answer is graded on its merits.
"""
from __future__ import annotations

import ast
import builtins
import hashlib

DEVICE = "device"         # the course device every notebook's setup cell binds


def digest(source: str) -> str:
    """How the kernel recognises a test cell: the hash of its source as nbgrader runs it (hidden tests included)."""
    return hashlib.sha256(source.strip().encode()).hexdigest()


def _parse(source: str):
    try:
        return ast.parse(source)
    except SyntaxError:
        return ast.Module(body=[], type_ignores=[])


def _imports(tree) -> dict[str, list]:
    """{name bound: ["import", module] or ["from", module, attribute]} for the import statements of a cell."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    found[alias.asname] = ["import", alias.name]
                else:
                    top = alias.name.split(".")[0]
                    found[top] = ["import", top]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    found[alias.asname or alias.name] = ["from", node.module, alias.name]
    return found


def _defined(tree) -> set[str]:
    """Names an answer cell binds at its top level (the exercise and its helpers)."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        for sub in ast.walk(node) if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) else ():
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                names.add(sub.id)
    return names


def protected_names(test_sources, answer_sources, other_sources) -> dict[str, list]:
    """{name: where its real object comes from} for the names the test cells read that are not the exercises."""
    reads = {n.id for src in test_sources for n in ast.walk(_parse(src))
             if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    exercises = set().union(*[_defined(_parse(src)) for src in answer_sources])
    imports = {}
    for src in [*other_sources, *test_sources]:
        imports.update(_imports(_parse(src)))
    spec = {}
    for name in sorted(reads - exercises):
        if name in imports:
            spec[name] = imports[name]
        elif name == DEVICE:
            spec[name] = ["device"]
        elif hasattr(builtins, name) and not name.startswith("_"):
            spec[name] = ["builtin"]
    return spec


_ABSENT = object()


def _resolve(name: str, how: list, namespace: dict):
    import importlib
    if how[0] == "import":
        return importlib.import_module(how[1])
    if how[0] == "from":
        module = importlib.import_module(how[1])
        try:
            return getattr(module, how[2])
        except AttributeError:
            return importlib.import_module(f"{how[1]}.{how[2]}")
    if how[0] == "device":
        from grader.device import pick_device
        return pick_device()
    return namespace.get(name, _ABSENT)          # a builtin: as the namespace had it before student code


def install(shell, spec: dict, digests):
    """Resolve the protected names now and put them back before every test cell (module docstring). Returns the
    list the names found rebound are added to, and the hook now in `shell.events` (the recorder checks it stays)."""
    originals = {}
    for name, how in spec.items():
        try:
            originals[name] = _resolve(name, how, shell.user_ns)
        except Exception:      # a module the notebook imports later, or not at all: nothing to protect
            continue
    wanted, rebound = frozenset(digests), []
    namespace, real_builtins = shell.user_ns, builtins

    def restore(info=None):
        if digest(getattr(info, "raw_cell", "") or "") not in wanted:
            return
        if namespace.get("__builtins__") is not real_builtins:
            namespace["__builtins__"] = real_builtins
            rebound.append("__builtins__")
        for name, obj in originals.items():
            have = namespace.get(name, _ABSENT)
            if obj is _ABSENT:
                if have is not _ABSENT:
                    del namespace[name]
            elif have is not obj:
                namespace[name] = obj
            else:
                continue
            if have is not _ABSENT and not (name == DEVICE and _same_device(have, obj)):
                rebound.append(name)

    shell.events.register("pre_run_cell", restore)
    return rebound, restore


def _same_device(a, b) -> bool:
    try:
        return type(a) is type(b) and a == b
    except Exception:
        return False


def from_notebook(nb) -> dict:
    """The guard's settings for a solution notebook: {"names": protected_names(...), "digests": [test cells]}."""
    from grader.cells import is_answer, is_test
    code = [c for c in nb.cells if c.cell_type == "code"]
    tests = [c.source for c in code if is_test(c)]
    answers = [c.source for c in code if is_answer(c)]
    others = [c.source for c in code if not is_test(c) and not is_answer(c)]
    return {"names": protected_names(tests, answers, others), "digests": sorted({digest(t) for t in tests})}
