"""How fast does `course grade` autograde, next to plain `nbgrader autograde`, in the same run?

Builds a scratch course with every assignment, makes N realistic submissions from the example
students (complete, partial, blank, broken; autograder/examples/students.json) spread over the
assignments, then grades the same submissions three ways, each in a fresh copy of the course:

* ``nbgrader autograde A --force`` for each assignment (nbgrader's own, one at a time),
* ``course grade ... --jobs 1``,
* ``course grade ... --jobs <cores>``,
* ``course grade ... --jobs <cores> --no-figures``,

checks that the gradebooks hold the same grades, and prints throughput, the CPU time per
submission (which other programs on the machine do not change, unlike the wall time; "load"
shows how busy the machine was) and ratios. It also
counts stalls: a kernel reply that jupyter_client's asyncio channels slept through until the
cell's timeout (300 s; see course_lib.selfcheck.PatientKernelClient, which `course grade` uses
and nbgrader does not), and gives the ratios without them too. Then it says where the time of
one submission goes: the kernel's start and stop, the setup cell (imports), figures, the checks,
the rest of the notebook (from nbclient's per-cell timings).

    python benchmarks/bench_grading.py              # 60 submissions
    python benchmarks/bench_grading.py -n 12 --assignments 01_convolution 02_stride_padding
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "autograder"))

from course_instructor.course import COURSE_DIR, assignments  # noqa: E402
from course_instructor.examples import load_spec, students_of, write_submissions  # noqa: E402
from course_instructor.grading import default_jobs, gradebook_contents  # noqa: E402
from course_instructor.release import register  # noqa: E402


def make_course(root: Path, selected: list[str]) -> Path:
    root.mkdir(parents=True)
    shutil.copy(COURSE_DIR / "nbgrader_config.py", root)
    for assignment in selected:
        shutil.copytree(COURSE_DIR / "source" / assignment, root / "source" / assignment)
    register(selected, root)
    return root


def make_submissions(course: Path, selected: list[str], count: int) -> list[tuple[str, str]]:
    """`count` submissions, round-robin over the assignments and their example students."""
    spec = load_spec()
    examples = course / "examples"
    write_submissions(examples, spec, course, selected)
    made = []
    kinds = {a: list(students_of(spec, a)) for a in selected}
    for number in range(count):
        assignment = selected[number % len(selected)]
        example = kinds[assignment][(number // len(selected)) % len(kinds[assignment])]
        student = f"s{number:03d}-{example}"
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        shutil.copy(examples / f"{example}_{assignment}.ipynb", folder / f"{assignment}.ipynb")
        made.append((student, assignment))
    return made


def run(command: list[str], cwd: Path) -> tuple[float, float]:
    """Run a command; return its wall time and the CPU time of everything it started (kernels too)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return seconds, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def grades(course: Path) -> dict:
    contents = gradebook_contents(course)
    return {key: {nb: value["grades"] for nb, value in submission["notebooks"].items()}
            for key, submission in contents["submissions"].items()}


def stalls(course: Path, longer_than: float = 30.0) -> list[float]:
    """Seconds lost between two cells of an autograded notebook, where that pause is suspiciously long."""
    import nbformat

    found = []
    for path in sorted((course / "autograded").glob("*/*/*.ipynb")):
        previous = None
        for cell in nbformat.read(path, as_version=4).cells:
            timing = cell.metadata.get("execution", {}) if cell.cell_type == "code" else {}
            if "iopub.execute_input" not in timing or "shell.execute_reply" not in timing:
                continue
            start, end = (datetime.fromisoformat(timing[key].replace("Z", "+00:00"))
                          for key in ("iopub.execute_input", "shell.execute_reply"))
            if previous is not None and (start - previous).total_seconds() > longer_than:
                found.append((start - previous).total_seconds())
            previous = end
    return found


def breakdown(course: Path) -> dict[str, float]:
    """Mean seconds per submission by part, from nbclient's per-cell timings in autograded/."""
    import nbformat

    parts = {"setup cell (imports)": 0.0, "cells with figures": 0.0, "check cells": 0.0, "other cells": 0.0,
             "kernel start, stop and the rest": 0.0}
    paths = sorted((course / "autograded").glob("*/*/*.ipynb"))
    report = json.loads((course / "report.json").read_text())
    totals = {f"{r['student']}/{r['assignment']}": r["seconds"]["execute"] for r in report["graded"]}
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        cells = 0.0
        for index, cell in enumerate(c for c in notebook.cells if c.cell_type == "code"):
            timing = cell.metadata.get("execution", {})
            if "iopub.execute_input" not in timing or "shell.execute_reply" not in timing:
                continue
            seconds = (datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
                       - datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))).total_seconds()
            cells += seconds
            grading = cell.metadata.get("nbgrader", {})
            if index == 0:
                parts["setup cell (imports)"] += seconds
            elif grading.get("grade"):
                parts["check cells"] += seconds
            elif any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
                parts["cells with figures"] += seconds
            else:
                parts["other cells"] += seconds
        key = f"{path.parent.parent.name}/{path.parent.name}"  # autograded/<student>/<assignment>
        parts["kernel start, stop and the rest"] += totals[key] - cells
    return {part: seconds / max(1, len(paths)) for part, seconds in parts.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=60, help="number of submissions (default 60)")
    parser.add_argument("--assignments", nargs="+", default=None, help="default: every assignment")
    parser.add_argument("--skip-nbgrader", action="store_true", help="do not time plain nbgrader")
    parser.add_argument("--keep", help="keep the scratch courses in this folder")
    args = parser.parse_args()
    selected = args.assignments or assignments(COURSE_DIR)
    cores = default_jobs()
    scratch = Path(args.keep or tempfile.mkdtemp(prefix="bench-grading-"))
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        base = make_course(scratch / "base", selected)
        made = make_submissions(base, selected, args.n)
        print(f"{len(made)} submissions over {', '.join(selected)}; {cores} cores; load average "
              f"{os.getloadavg()[0]:.1f} at the start", flush=True)
        bin_dir = Path(sys.executable).parent
        runs = {}
        plan = [] if args.skip_nbgrader else [("nbgrader autograde", None)]
        plan += [("course grade --jobs 1", 1), (f"course grade --jobs {cores}", cores),
                 (f"course grade --jobs {cores} --no-figures", cores)]
        for name, jobs in plan:
            course = scratch / name.replace(" ", "_")
            shutil.copytree(base, course, ignore=shutil.ignore_patterns("examples"))
            if jobs is None:
                timings = [run([str(bin_dir / "nbgrader"), "autograde", a, "--force"], course) for a in selected]
                seconds, cpu = sum(t[0] for t in timings), sum(t[1] for t in timings)
            else:
                seconds, cpu = run([str(bin_dir / "course"), "grade", *selected, "--jobs", str(jobs), "--no-progress",
                                    "--report", str(course / "report.json")]
                                   + (["--no-figures"] if name.endswith("--no-figures") else []), course)
            stalled = stalls(course)
            runs[name] = (course, seconds, stalled)
            print(f"{name:<36} {seconds:7.1f} s  {60 * len(made) / seconds:6.1f} submissions/min  "
                  f"{cpu / len(made):5.1f} CPU s/submission  load {os.getloadavg()[0]:.1f}"
                  + (f"  ({len(stalled)} stalls, {sum(stalled):.0f} s)" if stalled else ""), flush=True)
        reference = grades(runs[plan[0][0]][0])
        for name, (course, _, _) in runs.items():
            same = grades(course) == reference
            print(f"{name:<36} grades {'identical' if same else 'DIFFER'} to {plan[0][0]}'s")
        print()
        if "nbgrader autograde" in runs:
            _, plain, plain_stalls = runs["nbgrader autograde"]
            for name, (_, seconds, stalled) in runs.items():
                if name != "nbgrader autograde":
                    line = f"speed-up of {name} over nbgrader autograde: {plain / seconds:.2f}x"
                    if plain_stalls or stalled:
                        line += f" ({(plain - sum(plain_stalls)) / (seconds - sum(stalled)):.2f}x without the stalls)"
                    print(line)
        one, many = runs["course grade --jobs 1"][1], runs[f"course grade --jobs {cores}"][1]
        print(f"speed-up of {cores} workers over 1: {one / many:.2f}x")
        course = runs["course grade --jobs 1"][0]
        print("\nwhere the time of one submission goes (course grade --jobs 1, mean seconds):")
        for part, seconds in breakdown(course).items():
            print(f"  {part:<34} {seconds:6.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
