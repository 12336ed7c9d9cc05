"""nbgrader's generate_assignment, driven through course_instructor, makes real student versions."""

import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_instructor.course import COURSE_DIR
from course_instructor.release import ReleaseError, generate_student_version


def _graded(cell, **flags):
    cell.metadata["nbgrader"] = {"schema_version": 3, "grade": False, "solution": False,
                                 "locked": False, "task": False, **flags}
    return cell


@pytest.fixture
def tiny_course(tmp_path):
    shutil.copy(COURSE_DIR / "nbgrader_config.py", tmp_path)
    notebook = new_notebook(cells=[
        _graded(new_markdown_cell("Intro"), grade_id="intro", locked=True),
        _graded(new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
                grade_id="double", solution=True),
        _graded(new_code_cell("assert double(1) == 2\n### BEGIN HIDDEN TESTS\nassert double(5) == 10\n"
                              "### END HIDDEN TESTS"), grade_id="double_tests", grade=True, points=2, locked=True),
    ])
    (tmp_path / "source" / "tiny").mkdir(parents=True)
    nbformat.write(notebook, tmp_path / "source" / "tiny" / "tiny.ipynb")
    return tmp_path


def test_student_version_hides_solutions_and_hidden_tests(tiny_course):
    student = generate_student_version("tiny", tiny_course)
    solution, tests = student.cells[1].source, student.cells[2].source
    assert "return 2 * x" not in solution and "raise NotImplementedError()" in solution
    assert "double(5)" not in tests and "double(1) == 2" in tests
    assert student.cells[2].metadata["nbgrader"]["points"] == 2
    # the real course is untouched: generation happens in a scratch copy
    assert not (tiny_course / "release").exists() and not (tiny_course / "gradebook.db").exists()


def test_broken_master_is_reported(tiny_course):
    path = tiny_course / "source" / "tiny" / "tiny.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[1].source = "### BEGIN SOLUTION\nx = 1\n"  # no END SOLUTION
    nbformat.write(notebook, path)
    with pytest.raises(ReleaseError, match="tiny"):
        generate_student_version("tiny", tiny_course)
