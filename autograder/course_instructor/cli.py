"""`course`: the instructor's command, run from the course directory `autograder/` (or give --course-dir).

    course release                      # student versions -> notebooks/, and register in the gradebook
    course collect downloads.zip        # LMS download -> submitted/<student>/<assignment>/
    course grade 01_convolution         # autograde in parallel (--jobs N, or --dask tcp://host:8786)
    course feedback                     # feedback/<student>/<assignment>/*.html, hidden tests removed
    course export --output grades.csv   # one row per student, ready for the LMS
    course check my_notebook.ipynb      # a student's self-check: run it, print the score table
    course examples build/examples      # the example submissions of autograder/examples/students.json
    course examples --compare           # did the graded examples get the points the spec predicts?
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import collect as collect_module
from .course import COURSE_DIR, STUDENT_NOTEBOOKS_DIR, assignments, find_course_dir

__all__ = ["build_parser", "main"]


def _course(args: argparse.Namespace) -> Path:
    return find_course_dir(args.course_dir)


def _check_assignments(names: list[str], course_dir: Path) -> list[str] | None:
    known = assignments(course_dir)
    unknown = sorted(set(names) - set(known))
    if unknown:
        print(f"unknown assignment(s): {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return None
    return names


def _release(args: argparse.Namespace) -> int:
    from .release import ReleaseError, register, release

    course_dir = _course(args)
    if _check_assignments(args.assignments, course_dir) is None:
        return 2
    try:
        if course_dir == COURSE_DIR and not args.no_notebooks:
            for path in release(args.assignments or None, course_dir, STUDENT_NOTEBOOKS_DIR):
                print(f"released {path.stem} -> {path}")
        for path in register(args.assignments or None, course_dir):
            print(f"registered {path.stem} in the gradebook (student version: {path})")
    except ReleaseError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def _collect(args: argparse.Namespace) -> int:
    from .collect import collect

    course_dir = _course(args)
    try:
        report = collect(args.source, course_dir, assignment=args.assignment, pattern=args.pattern, force=args.force)
    except (ValueError, FileNotFoundError) as error:
        print(error, file=sys.stderr)
        return 2
    for title, items in (("new", report.new), ("replaced", report.replaced), ("unchanged", report.unchanged)):
        for student, assignment, what in items:
            print(f"{title:<9} {student}/{assignment}: {what}")
    for student, assignment, why in report.kept:
        print(f"NOT COLLECTED {student}/{assignment}: {why}", file=sys.stderr)
    for path in report.unmapped:
        print(f"UNMAPPED  {path}: no student and assignment in its name (see `course collect --help`)", file=sys.stderr)
    print(f"{len(report.new)} new, {len(report.replaced)} replaced, {len(report.unchanged)} unchanged, "
          f"{len(report.kept)} not collected, {len(report.unmapped)} unmapped")
    return 1 if report.needs_attention else 0


def _grade(args: argparse.Namespace) -> int:
    from .grading import GradingError, grade, score_table

    course_dir = _course(args)
    if _check_assignments(args.assignments, course_dir) is None:
        return 2
    try:
        report = grade(args.assignments, course_dir, students=args.student or None, jobs=args.jobs,
                       dask=args.dask, force=args.force, threads=args.threads, figures=not args.no_figures,
                       progress=not args.no_progress)
    except GradingError as error:
        print(error, file=sys.stderr)
        return 2
    graded = {(r.student, r.assignment) for r in report.graded}
    rows = [row for row in score_table(course_dir, args.assignments) if (row["student"], row["assignment"]) in graded]
    if rows:
        print(f"{'student':<16} {'assignment':<28} {'score':>11}")
        for row in rows:
            note = "  + written answers to grade" if row["needs_manual_grade"] else ""
            print(f"{row['student']:<16} {row['assignment']:<28} {row['score']:>5g} / {row['max_score']:<4g}{note}")
    if args.verbose:
        for result in report.graded:
            for warning in result.warnings:
                print(f"note {result.student}/{result.assignment}: {warning}")
    for result in report.failed:
        print(f"NOT GRADED {result.student}/{result.assignment}: {result.error}", file=sys.stderr)
    if args.report:
        Path(args.report).write_text(json.dumps({
            "seconds": report.seconds,
            "graded": [{"student": r.student, "assignment": r.assignment, "seconds": r.seconds, "worker": r.worker,
                        "warnings": r.warnings} for r in report.graded],
            "failed": [{"student": r.student, "assignment": r.assignment, "error": r.error} for r in report.failed],
            "up_to_date": [{"student": s.student, "assignment": s.assignment} for s in report.up_to_date],
        }, indent=1))
    print(f"{len(report.graded)} graded, {len(report.failed)} not graded, {len(report.up_to_date)} already up to date "
          f"(use --force to regrade) in {report.seconds:.0f} s")
    return 0 if report.ok else 1


def _feedback(args: argparse.Namespace) -> int:
    from .feedback import generate_feedback

    course_dir = _course(args)
    if _check_assignments(args.assignments, course_dir) is None:
        return 2
    report = generate_feedback(course_dir, args.assignments or None, args.student)
    for path in report.files:
        print(path)
    for assignment, log in report.failed.items():
        print(f"nbgrader could not write the feedback of {assignment}:\n{log}", file=sys.stderr)
    print(f"{len(report.files)} feedback files")
    return 1 if report.failed else 0


def _export(args: argparse.Namespace) -> int:
    from .export import export_grades

    table = export_grades(_course(args), args.output)
    totals = [c for c in table.columns[4:] if "/" not in c]
    width = max([len("(out of)")] + [len(row[0]) for row in table.rows])
    print(f"{'student':<{width}}  " + "  ".join(f"{c:>{len(c)}}" for c in totals))
    print(f"{'(out of)':<{width}}  " + "  ".join(f"{table.max_points[c]:>{len(c)}g}" for c in totals))
    for row in table.rows:
        values = dict(zip(table.columns, row))
        print(f"{row[0]:<{width}}  " + "  ".join(f"{values[c]:>{len(c)}g}" for c in totals))
    print(f"wrote {Path(args.output).resolve()} ({len(table.rows)} students, {len(table.columns)} columns)")
    return 0


def _check(args: argparse.Namespace) -> int:
    from course_lib.selfcheck import main as selfcheck

    return selfcheck([args.notebook, "--timeout", str(args.timeout)])


def _examples(args: argparse.Namespace) -> int:
    from .examples import expected_scores, load_spec, students_of, write_submissions

    course_dir = _course(args)
    if _check_assignments(args.assignment or [], course_dir) is None:
        return 2
    spec = load_spec()
    if args.compare:
        return _compare_examples(course_dir, spec, args.assignment or assignments(course_dir))
    if not args.output:
        print("give the folder to write the submissions to (or --compare)", file=sys.stderr)
        return 2
    written = write_submissions(Path(args.output), spec, course_dir, args.assignment or None, args.student or None,
                                Path(args.zip) if args.zip else None)
    for path in written:
        student, assignment = path.stem.split("_", 1)
        expected = sum(expected_scores(assignment, spec, course_dir)[student].values())
        about = students_of(spec, assignment)[student].get("about", "")
        print(f"{path}  expected {expected:g}  ({about})")
    if args.zip:
        print(f"packed into {args.zip}")
    return 0


def _compare_examples(course_dir: Path, spec: dict, selected: list[str]) -> int:
    """Compare the gradebook's autograded points of the example students with the spec's."""
    from .examples import expected_scores
    from .grading import gradebook_contents

    contents = gradebook_contents(course_dir)["submissions"]
    compared, wrong = 0, []
    for assignment in selected:
        for student, expected in expected_scores(assignment, spec, course_dir).items():
            submission = contents.get((student, assignment))
            if submission is None:
                continue
            grades = {cell: grade[0] for notebook in submission["notebooks"].values()
                      for cell, grade in notebook["grades"].items()}
            got = {cell: grades.get(cell) for cell in expected}
            compared += 1
            if got != expected:
                wrong.append(f"{student}/{assignment}: expected {expected}, graded {got}")
    for line in wrong:
        print(f"UNEXPECTED {line}", file=sys.stderr)
    print(f"{compared - len(wrong)} of {compared} example submissions got exactly their expected points")
    return 1 if wrong or not compared else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description=__doc__.split("\n")[0],
                                     epilog=__doc__.split("\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course-dir", help="the course directory (default: this directory if it has an "
                                             "nbgrader_config.py, else the repository's autograder/)")
    commands = parser.add_subparsers(dest="command", required=True)

    command = commands.add_parser("release", help="student versions -> notebooks/, and register in the gradebook")
    command.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    command.add_argument("--no-notebooks", action="store_true", help="only register; leave notebooks/ alone")
    command.set_defaults(run=_release)

    command = commands.add_parser("collect", help="put an LMS download (folder or zip) into submitted/",
                                  description=collect_module.__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    command.add_argument("source", help="a folder or a zip of submissions")
    command.add_argument("--assignment", help="put every file under this assignment")
    command.add_argument("--pattern", help="regular expression with groups student_id, file_id (and timestamp)")
    command.add_argument("--force", action="store_true", help="replace submissions already collected")
    command.set_defaults(run=_collect)

    command = commands.add_parser("grade", help="autograde submissions in parallel")
    command.add_argument("assignments", nargs="+", metavar="ASSIGNMENT")
    command.add_argument("--student", action="append", help="only this student (repeat for more)")
    command.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    command.add_argument("--dask", metavar="ADDRESS", help="run on the Dask scheduler at ADDRESS instead")
    command.add_argument("--force", action="store_true", help="regrade submissions already graded")
    command.add_argument("--threads", type=int, help="numeric threads per kernel (default: cores / jobs)")
    command.add_argument("--no-figures", action="store_true",
                         help="do not render figures: faster, same grades, no pictures in the feedback")
    command.add_argument("--no-progress", action="store_true", help="no progress bar")
    command.add_argument("--verbose", action="store_true", help="also print what nbgrader noticed")
    command.add_argument("--report", metavar="JSON", help="also write what happened to each submission here")
    command.set_defaults(run=_grade)

    command = commands.add_parser("feedback", help="HTML feedback for students, hidden tests removed")
    command.add_argument("assignments", nargs="*", help="assignment ids (default: all that are graded)")
    command.add_argument("--student", help="only this student")
    command.set_defaults(run=_feedback)

    command = commands.add_parser("export", help="grades as CSV, one row per student")
    command.add_argument("--output", default="grades.csv", help="the CSV file (default: grades.csv)")
    command.set_defaults(run=_export)

    command = commands.add_parser("check", help="run a notebook and print the score table of its visible checks")
    command.add_argument("notebook")
    command.add_argument("--timeout", type=int, default=300, help="seconds a cell may run")
    command.set_defaults(run=_check)

    command = commands.add_parser("examples", help="write the example submissions (autograder/examples/students.json)")
    command.add_argument("output", nargs="?", help="folder for <student>_<assignment>.ipynb")
    command.add_argument("--assignment", action="append", help="only this assignment (repeat for more)")
    command.add_argument("--student", action="append", help="only this student (repeat for more)")
    command.add_argument("--zip", help="also pack them into this zip, as an LMS download")
    command.add_argument("--compare", action="store_true",
                         help="instead, compare the graded examples in the gradebook with their expected points")
    command.set_defaults(run=_examples)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
