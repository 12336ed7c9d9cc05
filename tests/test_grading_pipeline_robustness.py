"""`course grade` on a tiny course: kernels that die or time out, idempotence, kill and resume.

The tiny course has one notebook (a function, its test cell with visible and hidden tests, a
written answer), so each submission runs in a couple of seconds; the real notebooks are graded
in test_grading_pipeline.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_instructor.course import COURSE_DIR
from course_instructor.grading import grade, gradebook_contents, read_autograded
from course_instructor.release import register

SOLUTIONS = {
    "ann": "def double(x):\n    return 2 * x",
    "bob": "def double(x):\n    return x + 1",             # right for 1, wrong for 5: hidden test fails
    "cat": None,                                            # left blank
    "dot": "def double(x):\n    return x + x",
    "eli": "def double(x)\n    return 2 * x",               # syntax error
    "fay": "def double(x):\n    return 3 * x",
}
POINTS = {"ann": 2.0, "bob": 0.0, "cat": 0.0, "dot": 2.0, "eli": 0.0, "fay": 0.0}


def _graded(cell, **flags):
    cell.metadata["nbgrader"] = {"schema_version": 3, "grade": False, "solution": False,
                                 "locked": False, "task": False, **flags}
    return cell


def make_tiny_course(root: Path, *, sleep: float = 0.0, timeout: int | None = None) -> Path:
    """A course with one assignment `tiny`, registered in its gradebook; `sleep` slows every run."""
    root.mkdir(parents=True, exist_ok=True)
    config = (COURSE_DIR / "nbgrader_config.py").read_text()
    if timeout is not None:
        config += f"\nc.ExecutePreprocessor.timeout = {timeout}\n"
    (root / "nbgrader_config.py").write_text(config)
    notebook = new_notebook(cells=[
        _graded(new_markdown_cell("Write `double`."), grade_id="intro", locked=True),
        _graded(new_code_cell(f"import time\ntime.sleep({sleep})"), grade_id="setup", locked=True),
        _graded(new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
                grade_id="double", solution=True),
        _graded(new_code_cell('assert double(1) == 2, "double(1) should be 2"\n### BEGIN HIDDEN TESTS\n'
                              'assert double(5) == 10, f"double(5) should be 10, got {double(5)}"\n'
                              '### END HIDDEN TESTS'), grade_id="double_test", grade=True, points=2, locked=True),
        _graded(new_markdown_cell("Why?\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"),
                grade_id="why", grade=True, solution=True, points=1),
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (root / "source" / "tiny").mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, root / "source" / "tiny" / "tiny.ipynb")
    register(["tiny"], root)
    return root


def submit(course: Path, student: str, solution: str | None) -> Path:
    """Put a submission of `tiny` into submitted/, made from the released student version."""
    notebook = nbformat.read(course / "release" / "tiny" / "tiny.ipynb", as_version=4)
    if solution is not None:
        notebook.cells[2].source = solution
    folder = course / "submitted" / student / "tiny"
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / "tiny.ipynb")
    return folder


def _scores(contents: dict) -> dict[str, float]:
    return {student: submission["notebooks"]["tiny"]["grades"]["double_test"][0]
            for (student, _), submission in contents["submissions"].items()}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The tiny course with every submission graded in one clean run."""
    course = make_tiny_course(tmp_path_factory.mktemp("reference"), sleep=1.0)
    for student, solution in SOLUTIONS.items():
        submit(course, student, solution)
    report = grade("tiny", course, jobs=2, progress=False)
    assert not report.failed, report.failed
    return course


def test_every_submission_gets_its_points(reference):
    contents = gradebook_contents(reference)
    assert _scores(contents) == POINTS
    rows = contents["rows"]
    assert rows["submitted_assignment"] == len(SOLUTIONS)
    assert rows["grade"] == 2 * len(SOLUTIONS)  # the test cell and the written answer, once each
    # nobody answered the written question: nbgrader scores it 0 and says so
    ann = contents["submissions"][("ann", "tiny")]["notebooks"]["tiny"]
    assert ann["grades"]["why"] == (0.0, None, None, False) and ann["comments"]["why"] == ("No response.", None)
    # the autograded notebook holds the hidden test's verdict
    bob = read_autograded(reference, "tiny", "bob")["tiny"]
    assert "double(5) should be 10, got 6" in str(bob.cells[3].outputs)


def test_grading_again_or_one_student_again_changes_nothing(reference):
    before = gradebook_contents(reference)
    again = grade("tiny", reference, progress=False)
    assert not again.graded and len(again.up_to_date) == len(SOLUTIONS)
    report = grade("tiny", reference, students=["bob"], force=True, progress=False)
    assert [r.student for r in report.graded] == ["bob"]
    assert gradebook_contents(reference) == before
    report = grade("tiny", reference, force=True, jobs=2, progress=False)
    assert len(report.graded) == len(SOLUTIONS)
    assert gradebook_contents(reference) == before


def test_a_changed_submission_is_regraded_without_force(reference, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(reference, course)
    submit(course, "fay", SOLUTIONS["ann"])
    report = grade("tiny", course, progress=False)
    assert [r.student for r in report.graded] == ["fay"]
    assert _scores(gradebook_contents(course))["fay"] == 2.0


def test_a_run_killed_half_way_and_run_again_gives_the_same_gradebook(reference, tmp_path):
    course = make_tiny_course(tmp_path / "course", sleep=1.0)
    for student, solution in SOLUTIONS.items():
        submit(course, student, solution)
    markers = course / ".course_grading" / "tiny"
    command = [sys.executable, "-m", "course_instructor.cli", "--course-dir", str(course),
               "grade", "tiny", "--jobs", "2", "--no-progress"]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (markers.is_dir() and any(markers.glob("*.json"))):
        assert process.poll() is None, process.stdout.read().decode()
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    process.stdout.close()
    done = len(list(markers.glob("*.json")))
    assert 1 <= done < len(SOLUTIONS), f"the run was not killed half way ({done} graded)"
    resumed = grade("tiny", course, jobs=2, progress=False)
    assert len(resumed.up_to_date) == done and len(resumed.graded) == len(SOLUTIONS) - done
    assert not resumed.failed
    assert gradebook_contents(course) == gradebook_contents(reference)


def test_a_dead_kernel_or_a_timeout_does_not_stop_the_others(tmp_path):
    course = make_tiny_course(tmp_path / "course", timeout=3)
    submit(course, "ann", SOLUTIONS["ann"])
    submit(course, "max", "import os\nos._exit(1)")                       # kills the kernel
    submit(course, "sam", "import time\ntime.sleep(60)\n" + SOLUTIONS["ann"])  # a cell that times out
    report = grade("tiny", course, jobs=2, progress=False)
    assert [(r.student, "kernel died" in r.error) for r in report.failed] == [("max", True)]
    assert sorted(r.student for r in report.graded) == ["ann", "sam"]
    contents = gradebook_contents(course)
    assert _scores(contents) == {"ann": 2.0, "sam": 0.0}  # max: nothing recorded, reported instead
    sam = read_autograded(course, "tiny", "sam")["tiny"]
    assert any(o.get("ename") == "CellTimeoutError" for o in sam.cells[2].outputs)
    assert not (course / "autograded" / "max").exists()
