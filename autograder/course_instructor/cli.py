"""`course`: the instructor's command, run from the course directory `autograder/`.

    course release                  # student versions of every assignment -> notebooks/
    course release 01_convolution   # just one
"""

from __future__ import annotations

import argparse
import sys

from .course import COURSE_DIR, assignments
from .release import ReleaseError, release


def _release(args: argparse.Namespace) -> int:
    known = assignments(COURSE_DIR)
    unknown = sorted(set(args.assignments) - set(known))
    if unknown:
        print(f"unknown assignment(s): {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    try:
        for path in release(args.assignments or None):
            print(f"released {path.stem} -> {path}")
    except ReleaseError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    release_parser = commands.add_parser("release", help="generate the student versions into notebooks/")
    release_parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    release_parser.set_defaults(run=_release)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
