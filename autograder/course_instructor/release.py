"""Make the student versions of the master notebooks with nbgrader's generate_assignment.

The student version of `source/<a>/<a>.ipynb` is what nbgrader makes of it: solutions replaced by
stubs, hidden tests removed, outputs cleared, checksums recorded. It is kept in `notebooks/<a>.ipynb`
so students can open the course straight from the repository (or Colab); `tests/test_notebooks.py`
fails when the kept copy drifts from what nbgrader would make now.

`register` runs the same generate_assignment in the course itself, which records each assignment,
its notebooks, cells and points in the course's gradebook (and writes `release/<a>/`): grading
needs that record.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nbformat

from .course import COURSE_DIR, STUDENT_NOTEBOOKS_DIR, assignments, nbgrader_api

__all__ = ["ReleaseError", "generate_student_version", "register", "release"]


class ReleaseError(RuntimeError):
    """nbgrader could not make the student version of an assignment."""


def generate_student_version(assignment: str, course_dir: Path = COURSE_DIR) -> nbformat.NotebookNode:
    """Run nbgrader's generate_assignment on a scratch copy of the course; return the student notebook.

    The scratch copy keeps the real course's gradebook and release folder untouched, so this can
    run in tests and in parallel.
    """
    course_dir = Path(course_dir)
    with tempfile.TemporaryDirectory(prefix="course-release-") as scratch:
        scratch = Path(scratch)
        shutil.copy(course_dir / "nbgrader_config.py", scratch)
        shutil.copytree(course_dir / "source" / assignment, scratch / "source" / assignment)
        api = nbgrader_api(scratch, CourseDirectory={"db_url": f"sqlite:///{scratch / 'gradebook.db'}"})
        result = api.generate_assignment(assignment, force=True, create=True)
        if not result["success"]:
            raise ReleaseError(f"nbgrader could not generate {assignment}:\n{result.get('error') or result.get('log')}")
        return nbformat.read(scratch / "release" / assignment / f"{assignment}.ipynb", as_version=4)


def release(selected: list[str] | None = None, course_dir: Path = COURSE_DIR,
            notebooks_dir: Path = STUDENT_NOTEBOOKS_DIR) -> list[Path]:
    """Write the student version of each selected assignment (default: all) to `notebooks_dir`."""
    written = []
    for assignment in selected or assignments(course_dir):
        notebook = generate_student_version(assignment, course_dir)
        target = Path(notebooks_dir) / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        written.append(target)
    return written


def register(selected: list[str] | None = None, course_dir: Path = COURSE_DIR) -> list[Path]:
    """Record each selected assignment (default: all) in the course's gradebook, as nbgrader's
    generate_assignment does: the assignment, its notebooks, grade cells with their points,
    solution cells and the locked cells' source and checksums. Returns the released notebooks.

    nbgrader refuses to add or remove cells of an assignment that already has submissions; that
    refusal comes back as a ReleaseError.
    """
    course_dir = Path(course_dir)
    api = nbgrader_api(course_dir)
    released = []
    for assignment in selected or assignments(course_dir):
        result = api.generate_assignment(assignment, force=True, create=True)
        if not result["success"]:
            raise ReleaseError(f"nbgrader could not register {assignment}:\n{result.get('error') or result.get('log')}")
        released.append(Path(api.coursedir.format_path(api.coursedir.release_directory, ".", assignment))
                        / f"{assignment}.ipynb")
    return released
