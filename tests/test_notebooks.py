"""Every assignment: its master runs with every check passing, its student version is what nbgrader
makes of the master, runs wherever no unfinished exercise is needed, and follows the course format."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import nbformat
import pytest

from course_instructor.course import COURSE_DIR, REPO_DIR, STUDENT_NOTEBOOKS_DIR, assignments
from course_instructor.release import generate_student_version
from notebook_runner import WIDGET_MIME, run_notebook

ASSIGNMENTS = assignments()
REPOSITORY = tomllib.loads((REPO_DIR / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
TIMES_FILE = REPO_DIR / "artifacts" / "notebook_times.json"


def master_path(assignment: str) -> Path:
    return COURSE_DIR / "source" / assignment / f"{assignment}.ipynb"


def student_path(assignment: str) -> Path:
    return STUDENT_NOTEBOOKS_DIR / f"{assignment}.ipynb"


def grading(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _record_time(name: str, seconds: float) -> None:
    """Keep the run times for the closing notes and the README (not asserted: timing is not a test)."""
    TIMES_FILE.parent.mkdir(exist_ok=True)
    times = json.loads(TIMES_FILE.read_text()) if TIMES_FILE.exists() else {}
    times[name] = round(seconds, 1)
    TIMES_FILE.write_text(json.dumps(times, indent=1, sort_keys=True))


def test_every_lecture_topic_has_an_assignment():
    assert ASSIGNMENTS, "no master notebooks under autograder/source/"
    assert {path.stem for path in STUDENT_NOTEBOOKS_DIR.glob("*.ipynb")} == set(ASSIGNMENTS)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_version_is_what_nbgrader_makes_of_the_master(assignment):
    kept = nbformat.read(student_path(assignment), as_version=4)
    fresh = generate_student_version(assignment)
    drifted = [i for i, (a, b) in enumerate(zip(kept.cells, fresh.cells))
               if (a.cell_type, a.source, grading(a)) != (b.cell_type, b.source, grading(b))]
    assert len(kept.cells) == len(fresh.cells) and not drifted, (
        f"notebooks/{assignment}.ipynb differs from its master (cells {drifted[:5]}); "
        f"run `course release {assignment}` in autograder/")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_master_follows_the_course_format(assignment):
    notebook = nbformat.read(master_path(assignment), as_version=4)
    cells = notebook.cells
    test_cells = [c for c in cells if grading(c).get("grade") and not grading(c).get("solution")]
    solution_code = [c for c in cells if grading(c).get("solution") and c.cell_type == "code"]
    manual = [c for c in cells if grading(c).get("solution") and grading(c).get("grade")]
    assert all(grading(c).get("points", 0) > 0 for c in test_cells + manual), "a graded cell has no points"
    exercises = [c for c in test_cells if re.search(r"check\(\s*[\"'](\w+)[\"']", c.source)
                 and "### BEGIN HIDDEN TESTS" in c.source]
    assert len(exercises) >= 4, "at least 4 auto-graded exercises, each with visible and hidden checks"
    for cell in exercises:
        visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1]
        assert "check(" in visible and "hidden=True" in hidden, cell.source
        assert grading(cell).get("locked"), f"test cell {grading(cell)['grade_id']} must be locked"
    assert len(solution_code) >= len(exercises)
    assert manual and all(c.cell_type == "markdown" for c in manual), "a manually graded written answer"
    assert grading(cells[1]).get("locked") and "import course_lib" in cells[1].source
    assert f"{REPOSITORY}" in cells[1].source, "the setup cell installs course_lib from the repository"
    colab = f"colab.research.google.com/github/{REPOSITORY.split('github.com/')[1]}/blob/main/notebooks/{assignment}.ipynb"
    assert colab in cells[0].source, "the first cell links to the notebook in Colab"
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    assert "course_lib.widgets" in code or "from course_lib import widgets" in code
    assert "## Summary" in "\n".join(c.source for c in cells if c.cell_type == "markdown")
    # nothing that belongs in course_lib is defined in the notebook outside the exercises
    helpers = [name for c in cells if c.cell_type == "code" and not grading(c).get("solution")
               for name in re.findall(r"^def (\w+)", c.source, flags=re.M)]
    assert not helpers, f"helpers defined in the notebook instead of course_lib: {helpers}"
    assert all(not c.get("outputs") and not c.get("execution_count") for c in cells if c.cell_type == "code")


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_master_runs_with_every_check_passing(assignment):
    run = run_notebook(master_path(assignment))
    _record_time(f"{assignment} (master)", run.seconds)
    assert not run.errors, "\n".join(map(str, run.errors))
    assert run.count_outputs("image/png") >= 2, "at least two figures"
    assert run.count_outputs(WIDGET_MIME) >= 1, "at least one widget"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_version_fails_only_where_an_exercise_is_unfinished(assignment):
    run = run_notebook(student_path(assignment))
    _record_time(f"{assignment} (student)", run.seconds)
    unexpected = [e for e in run.errors
                  if not (e.ename == "NotImplementedError"
                          or (e.is_grade_cell and e.ename == "AssertionError" and "not implemented" in e.evalue.lower()))]
    assert not unexpected, "\n".join(map(str, unexpected))
    assert run.errors, "a student version with every exercise unfinished must show that somewhere"
