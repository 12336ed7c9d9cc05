"""Example submissions, built from the masters by a declarative spec, with their expected scores.

`autograder/examples/students.json` says, for each assignment, which students there are and what
each did with each exercise; this module turns that into submission notebooks and expected
scores. A submission starts from the student version that nbgrader makes of the master (what a
student downloads), and each exercise's solution cell becomes one of:

``solved``
    the master's solution (the solution markers removed);
``blank``
    left as released (``raise NotImplementedError()``);
``syntax error``
    the master's solution with an unclosed bracket at the end: the cell does not compile;
``exception``
    a debugging line before the ``def`` that raises NameError: the function is never defined;
``forgot return``
    the master's solution with its last ``return`` turned into an assignment: returns None;
``bug: NAME``
    the master's solution with a named bug of the spec's ``bugs`` list applied: a text
    replacement in the solution, such as a flipped kernel.

Written answers are answered (the model answer) when a student's ``default`` is ``solved`` and
left blank otherwise. An assignment the spec does not list gets its ``default_students``. ``tamper: true`` empties the submitted test cells (nbgrader restores
them), which must not change the score.

Expected scores come from the masters' points: a test cell scores its points when its exercise
is ``solved`` and so is every exercise whose function the master's solution calls; anything else
scores 0, and written answers are left to the grader (0 until graded by hand). Because everything
is derived from the masters, the examples cannot drift from the notebooks: a bug whose text is no
longer in the master's solution is an error.
"""

from __future__ import annotations

import ast
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .course import COURSE_DIR, REPO_DIR, assignments
from .release import generate_student_version

__all__ = [
    "BEHAVIOURS",
    "SPEC_FILE",
    "Exercise",
    "build_submission",
    "expected_scores",
    "exercises",
    "load_spec",
    "students_of",
    "write_submissions",
]

SPEC_FILE = REPO_DIR / "autograder" / "examples" / "students.json"
BEHAVIOURS = ("solved", "blank", "syntax error", "exception", "forgot return")
"""What a student can do with an exercise, besides ``bug: NAME``."""

_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)


@dataclass(frozen=True)
class Exercise:
    """One auto-graded exercise of a master: its solution cell and the test cell that checks it."""

    id: str
    solution_cell: str
    test_cell: str
    points: float
    solution: str
    calls: frozenset


def _grading(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _master(assignment: str, course_dir: Path) -> nbformat.NotebookNode:
    return nbformat.read(Path(course_dir) / "source" / assignment / f"{assignment}.ipynb", as_version=4)


def _names(source: str) -> set[str]:
    """Names a piece of code reads (the functions it calls among them)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def exercises(assignment: str, course_dir: Path = COURSE_DIR) -> dict[str, Exercise]:
    """The auto-graded exercises of an assignment's master, by exercise id.

    An exercise is a test cell that calls ``check("<id>", ...)`` and the solution cell that
    defines the function ``<id>``.
    """
    cells = _master(assignment, course_dir).cells
    solutions = {}
    for cell in cells:
        if _grading(cell).get("solution") and cell.cell_type == "code":
            for name in re.findall(r"^def (\w+)\(", cell.source, flags=re.M):
                solutions[name] = cell
    found = {}
    for cell in cells:
        grading = _grading(cell)
        if not grading.get("grade") or grading.get("solution") or cell.cell_type != "code":
            continue
        match = re.search(r"check\(\s*[\"'](\w+)[\"']", cell.source)
        if not match or match.group(1) not in solutions:
            continue
        solution = solutions[match.group(1)]
        found[match.group(1)] = Exercise(
            id=match.group(1),
            solution_cell=_grading(solution)["grade_id"],
            test_cell=grading["grade_id"],
            points=float(grading["points"]),
            solution=_MARKER.sub("", solution.source),
            calls=frozenset(),
        )
    for exercise_id, exercise in found.items():
        calls = frozenset(_names(exercise.solution) & set(found) - {exercise_id})
        found[exercise_id] = Exercise(**{**exercise.__dict__, "calls": calls})
    return found


def load_spec(path: Path = SPEC_FILE) -> dict:
    """The example students (see the module docstring for the format)."""
    return json.loads(Path(path).read_text())


def students_of(spec: dict, assignment: str) -> dict:
    """The spec's students of `assignment`, or its ``default_students`` when it lists none."""
    return spec["students"].get(assignment) or spec.get("default_students", {})


def _behaviour(student: dict, exercise_id: str) -> str:
    return student.get("exercises", {}).get(exercise_id, student.get("default", "solved"))


def _apply(behaviour: str, exercise: Exercise, bugs: dict, where: str, released: str) -> str:
    """The source of the solution cell a student with this behaviour submits."""
    if behaviour == "blank":
        return released
    if behaviour == "solved":
        return exercise.solution
    if behaviour == "syntax error":
        return exercise.solution.rstrip() + "\n    return (\n"
    if behaviour == "exception":
        return "print(debug_value)  # left over from debugging\n" + exercise.solution
    if behaviour == "forgot return":
        lines = exercise.solution.rstrip().split("\n")
        last = max((i for i, line in enumerate(lines) if re.match(r"^    return\b", line)), default=None)
        if last is None:
            raise ValueError(f"{where}: the master's {exercise.id} has no return statement to forget")
        lines[last] = lines[last].replace("return", "result =", 1)
        return "\n".join(lines) + "\n"
    if behaviour.startswith("bug:"):
        name = behaviour[4:].strip()
        bug = bugs.get(name)
        if bug is None:
            raise ValueError(f"{where}: unknown bug {name!r}; the spec's bugs are {sorted(bugs)}")
        if bug["exercise"] != exercise.id:
            raise ValueError(f"{where}: bug {name!r} is a bug of {bug['exercise']}, not of {exercise.id}")
        if exercise.solution.count(bug["replace"]) != 1:
            raise ValueError(f"{where}: bug {name!r} no longer applies: {bug['replace']!r} is not exactly once "
                             f"in the master's solution of {exercise.id}")
        return exercise.solution.replace(bug["replace"], bug["with"])
    raise ValueError(f"{where}: unknown behaviour {behaviour!r}; use one of {BEHAVIOURS} or 'bug: NAME'")


def build_submission(assignment: str, student_id: str, spec: dict, course_dir: Path = COURSE_DIR,
                     student_version: nbformat.NotebookNode | None = None) -> nbformat.NotebookNode:
    """The notebook the spec's student submits for `assignment`."""
    student = students_of(spec, assignment)[student_id]
    bugs = spec.get("bugs", {}).get(assignment, {})
    found = exercises(assignment, course_dir)
    unknown = set(student.get("exercises", {})) - set(found)
    if unknown:
        raise ValueError(f"{assignment}/{student_id}: no exercises {sorted(unknown)} in the master; "
                         f"it has {sorted(found)}")
    notebook = nbformat.from_dict(student_version or generate_student_version(assignment, course_dir))
    by_cell = {exercise.solution_cell: exercise for exercise in found.values()}
    answers = {_grading(c)["grade_id"]: _MARKER.sub("", c.source) for c in _master(assignment, course_dir).cells
               if _grading(c).get("solution") and _grading(c).get("grade") and c.cell_type == "markdown"}
    for cell in notebook.cells:
        grading = _grading(cell)
        grade_id = grading.get("grade_id")
        if grade_id in by_cell:
            exercise = by_cell[grade_id]
            cell.source = _apply(_behaviour(student, exercise.id), exercise, bugs, f"{assignment}/{student_id}",
                                 cell.source)
        elif grade_id in answers and student.get("default", "solved") == "solved":
            cell.source = answers[grade_id].strip()
        elif student.get("tamper") and grading.get("grade") and not grading.get("solution"):
            cell.source = "# I removed the checks\n"
    return notebook


def expected_scores(assignment: str, spec: dict, course_dir: Path = COURSE_DIR) -> dict[str, dict[str, float]]:
    """For each of the spec's students, the points each test cell of `assignment` should score."""
    found = exercises(assignment, course_dir)
    scores = {}
    for student_id, student in students_of(spec, assignment).items():
        def passes(exercise_id: str, seen: frozenset = frozenset()) -> bool:
            if exercise_id in seen:  # functions calling each other: judged once
                return True
            return _behaviour(student, exercise_id) == "solved" and all(
                passes(other, seen | {exercise_id}) for other in found[exercise_id].calls)

        scores[student_id] = {e.test_cell: (e.points if passes(e.id) else 0.0) for e in found.values()}
    return scores


def write_submissions(output: Path, spec: dict | None = None, course_dir: Path = COURSE_DIR,
                      selected: list[str] | None = None, students: list[str] | None = None,
                      archive: Path | None = None) -> list[Path]:
    """Write the spec's submissions as ``<output>/<student>_<assignment>.ipynb`` (the file names an
    LMS download uses), for the selected assignments (default: every one with a master); also
    pack them into the zip `archive` if given. Returns the files."""
    spec = spec or load_spec()
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    available = set(assignments(course_dir))
    written = []
    for assignment in selected or sorted(available):
        released = generate_student_version(assignment, course_dir)
        for student_id in students_of(spec, assignment):
            if students and student_id not in students:
                continue
            notebook = build_submission(assignment, student_id, spec, course_dir, released)
            path = output / f"{student_id}_{assignment}.ipynb"
            nbformat.write(notebook, path)
            written.append(path)
    if archive is not None:
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in written:
                bundle.write(path, path.name)
    return written
