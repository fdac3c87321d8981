"""Command line: `python -m grader release|check-release|refresh-outputs ...`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.course import COURSE, assignments


def _release(args) -> int:
    from grader.release import build_release
    for name in args.assignments or assignments():
        print(f"released {build_release(name, COURSE).relative_to(COURSE.parent)}")
    return 0


def _check_release(args) -> int:
    from grader.release import release_differences
    problems = {name: release_differences(name) for name in args.assignments or assignments()}
    for name, diffs in problems.items():
        for diff in diffs:
            print(f"{name}: {diff}")
    if any(problems.values()):
        print("course/ is out of date with solutions/: run `make release` and commit the result.")
        return 1
    print("course/ matches solutions/.")
    return 0


def _refresh(args) -> int:
    from grader.outputs import refresh
    for path in args.notebooks:
        refresh(Path(path))
        print(f"refreshed outputs of {path}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="regenerate course/ from solutions/ with nbgrader generate_assignment")
    rel.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    rel.set_defaults(run=_release)
    chk = sub.add_parser("check-release", help="fail when course/ differs from a fresh release")
    chk.add_argument("assignments", nargs="*")
    chk.set_defaults(run=_check_release)
    ref = sub.add_parser("refresh-outputs", help="re-execute solution notebooks (quick profile, CPU) in place")
    ref.add_argument("notebooks", nargs="+")
    ref.set_defaults(run=_refresh)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
