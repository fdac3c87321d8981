"""Command line: `python -m grader release|check-release|stamp-setup|refresh-outputs|autograde|feedback|similarity ...`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.course import COURSE, assignments


def _release(args) -> int:
    from grader.authoring.release import build_release
    _stamp(argparse.Namespace(targets=args.assignments, check=False))   # the release carries the one address too
    for name in args.assignments or assignments():
        print(f"released {build_release(name, COURSE).relative_to(COURSE.parent)}")
    return 0


def _check_release(args) -> int:
    from grader.authoring.release import release_differences
    problems = {name: release_differences(name) for name in args.assignments or assignments()}
    for name, diffs in problems.items():
        for diff in diffs:
            print(f"{name}: {diff}")
    if any(problems.values()):
        print("course/ is out of date with solutions/: run `make release` and commit the result.")
        return 1
    print("course/ matches solutions/.")
    return 0


def _stamp(args) -> int:
    """Stamp (or with --check, check) the Colab install lines and badges of notebooks, and the README's links."""
    from grader.authoring import setup_cell
    from grader.course import REPO, SOLUTIONS, notebook_name
    paths = [Path(t) if t.endswith(".ipynb") else SOLUTIONS / t / notebook_name(t) for t in args.targets]
    if not args.targets:
        paths = [SOLUTIONS / name / notebook_name(name) for name in assignments()] + [REPO / "README.md"]
    if args.check:
        problems = [p for path in paths for p in (setup_cell.link_problems(path) if path.suffix == ".md"
                                                  else setup_cell.notebook_problems(path))]
        print("\n".join(problems) or "every notebook's setup cell and Colab badge match pyproject.toml.")
        return 1 if problems else 0
    for path in paths:
        changed = setup_cell.stamp_links(path) if path.suffix == ".md" else setup_cell.stamp_notebook(path)
        if changed:
            print(f"stamped {path}")
    return 0


def _refresh(args) -> int:
    from grader.authoring.outputs import refresh
    for path in args.notebooks:
        refresh(Path(path))
        print(f"refreshed outputs of {path}")
    return 0


def _autograde(args) -> int:
    from grader.autograde import autograde
    from grader.autograde.options import from_arguments
    from grader.autograde.reports import table
    options = from_arguments(args, Path(args.root))
    if options.device == "cuda":
        import torch
        if not torch.cuda.is_available():
            print("--device cuda needs a GPU, and PyTorch sees none here. Grade device placement without one with "
                  "--device cuda-sim (a simulated GPU that computes on the CPU).", file=sys.stderr)
            return 2
    summary = autograde(args.assignment, options, root=Path(args.root),
                        submissions=Path(args.submissions) if args.submissions else None,
                        students=args.student or None, json_path=Path(args.json) if args.json else None)
    for folder, why in summary.get("refused", {}).items():
        print(f"warning: submitted/{folder!r} refused, not graded: {why}", file=sys.stderr)
    print(table(summary))
    return 0


def _feedback(args) -> int:
    """Every student gets a page; the ones whose page is a failure notice are listed last, and make the exit
    status 1, so a batch script notices them without one bad notebook stopping the others."""
    from grader.autograde.feedback import generate_feedback
    pages = generate_feedback(args.assignment, Path(args.root), args.student or None)
    failed = getattr(pages, "failed", {})
    for path in pages:
        student = path.parent.parent.name
        print(f"{'FAILED' if student in failed else 'wrote'} {path}")
    for student, why in sorted(failed.items()):
        print(f"feedback failed for {student}: {why}", file=sys.stderr)
    if failed:
        print(f"{len(failed)} of {len(pages)} students got a failure page instead of feedback: "
              f"{', '.join(sorted(failed))}", file=sys.stderr)
    return 1 if failed else 0


def _similarity(args) -> int:
    from grader.autograde.similarity import similarity_report
    print(f"wrote {similarity_report(args.assignment, Path(args.root))}")
    return 0


def main(argv=None) -> int:
    from grader.autograde.options import add_arguments
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="regenerate course/ from solutions/ with nbgrader generate_assignment")
    rel.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    rel.set_defaults(run=_release)
    chk = sub.add_parser("check-release", help="fail when course/ differs from a fresh release")
    chk.add_argument("assignments", nargs="*")
    chk.set_defaults(run=_check_release)
    stamp = sub.add_parser("stamp-setup", help="write the Colab install lines and badges (from pyproject.toml's "
                                               "Repository) into solution notebooks and the README")
    stamp.add_argument("targets", nargs="*", help="assignment names or .ipynb paths (default: all of solutions/ "
                                                  "and README.md)")
    stamp.add_argument("--check", action="store_true", help="change nothing; fail when something disagrees")
    stamp.set_defaults(run=_stamp)
    ref = sub.add_parser("refresh-outputs", help="re-execute solution notebooks (quick profile, CPU) in place")
    ref.add_argument("notebooks", nargs="+")
    ref.set_defaults(run=_refresh)
    ag = sub.add_parser("autograde", help="grade submitted/*/ASSIGNMENT in parallel, sandboxed, into the gradebook")
    ag.add_argument("assignment")
    ag.add_argument("--submissions", help="folder of <student>/<assignment>/ (default: ROOT/submitted)")
    ag.add_argument("--student", action="append", help="grade only this student (repeatable)")
    ag.add_argument("--json", help="write the results as JSON to this file")
    ag.add_argument("--root", default=str(COURSE.parent), help="the nbgrader course root (default: this repo)")
    add_arguments(ag)
    ag.set_defaults(run=_autograde)
    fb = sub.add_parser("feedback", help="HTML feedback per student, without the hidden tests or the student's "
                                         "scripts; exits 1 after all when a student got a failure page")
    fb.add_argument("assignment")
    fb.add_argument("--student", action="append")
    fb.add_argument("--root", default=str(COURSE.parent))
    fb.set_defaults(run=_feedback)
    sim = sub.add_parser("similarity", help="pairs of near-identical answers per exercise, into reports/ASSIGNMENT/")
    sim.add_argument("assignment")
    sim.add_argument("--root", default=str(COURSE.parent), help="the nbgrader course root (default: this repo)")
    sim.set_defaults(run=_similarity)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
