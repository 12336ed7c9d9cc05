"""The grading pipeline on the real notebooks: the bundled example submissions, collected from an
LMS-style zip, graded in parallel (a local pool, and a Dask cluster on loopback) to the scores
that autograder/examples/students.json predicts; feedback without hidden tests; the CSV export.

To stay within the test budget only part of the examples is graded here (`make demo` grades
them all): 01_convolution with four students and 02_stride_padding with three. The graded course
is built once and shared by every test (and every pytest-xdist worker) that reads it.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import html
import os
import re
import shutil
from pathlib import Path

import pytest

from course_instructor.collect import collect
from course_instructor.course import COURSE_DIR, nbgrader_api, open_gradebook
from course_instructor.examples import expected_scores, load_spec, write_submissions
from course_instructor.export import export_grades
from course_instructor.feedback import generate_feedback
from course_instructor.grading import grade, gradebook_contents
from course_instructor.release import register

SELECTED = {"01_convolution": ["ada", "ben", "dan", "eve"], "02_stride_padding": ["ada", "ben", "cleo"]}
SPEC = load_spec()


@contextlib.contextmanager
def _locked(path: Path):
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _new_course(root: Path, selected: list[str]) -> Path:
    root.mkdir(parents=True)
    shutil.copy(COURSE_DIR / "nbgrader_config.py", root)
    for assignment in selected:
        shutil.copytree(COURSE_DIR / "source" / assignment, root / "source" / assignment)
    register(selected, root)
    return root


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory) -> Path:
    """A scratch course with the selected examples collected from a zip and graded by a local pool."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by the xdist workers of this run
    course = base / "graded-course"
    with _locked(base / "graded-course.lock"):
        if not (course / "graded.ok").exists():
            if course.exists():
                shutil.rmtree(course)
            _new_course(course, list(SELECTED))
            downloads = course / "downloads"
            for assignment, students in SELECTED.items():
                write_submissions(downloads, SPEC, course, [assignment], students)
            shutil.make_archive(str(course / "lms"), "zip", downloads)
            report = collect(course / "lms.zip", course)
            assert not report.unmapped and not report.kept
            assert len(report.new) == sum(map(len, SELECTED.values()))
            graded = grade(list(SELECTED), course, jobs=2, progress=False)
            assert not graded.failed, [(r.student, r.error) for r in graded.failed]
            (course / "graded.ok").touch()
    return course


def _text(page: Path) -> str:
    """What a browser shows of an HTML page: the tags removed (code is split by highlighting tags)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))


def _grades(contents: dict, assignment: str, student: str) -> dict[str, float]:
    notebook = contents["submissions"][(student, assignment)]["notebooks"][assignment]
    return {cell: grade[0] for cell, grade in notebook["grades"].items()}


@pytest.mark.slow
def test_bundled_submissions_get_their_expected_scores(graded_course):
    contents = gradebook_contents(graded_course)
    for assignment, students in SELECTED.items():
        expected = expected_scores(assignment, SPEC, graded_course)
        for student in students:
            got = _grades(contents, assignment, student)
            autograded = {cell: score for cell, score in got.items() if cell in expected[student]}
            assert autograded == expected[student], (assignment, student)
    # written answers: the complete student's waits for a human, the blank one's scores 0
    assert _grades(contents, "02_stride_padding", "ada")["seven_vs_three"] is None
    assert _grades(contents, "02_stride_padding", "cleo")["seven_vs_three"] == 0.0
    assert contents["rows"]["submitted_assignment"] == sum(map(len, SELECTED.values()))


@pytest.mark.slow
def test_regrading_one_student_gives_the_same_gradebook(graded_course, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(graded_course, course)
    before = gradebook_contents(course)
    report = grade("01_convolution", course, students=["eve"], force=True, progress=False)
    assert [r.student for r in report.graded] == ["eve"] and not report.failed
    assert gradebook_contents(course) == before


@pytest.mark.slow
def test_a_dask_cluster_grades_like_the_local_pool(graded_course, tmp_path):
    from distributed import LocalCluster

    course = _new_course(tmp_path / "course", ["02_stride_padding"])
    for student in ("ben", "cleo"):
        shutil.copytree(graded_course / "submitted" / student / "02_stride_padding",
                        course / "submitted" / student / "02_stride_padding")
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                      processes=True) as cluster:
        report = grade("02_stride_padding", course, dask=cluster.scheduler_address, progress=False)
    assert sorted(r.student for r in report.graded) == ["ben", "cleo"] and not report.failed
    assert all(r.worker and str(os.getpid()) not in r.worker for r in report.graded)  # ran on the workers
    by_dask, by_pool = gradebook_contents(course), gradebook_contents(graded_course)
    for student in ("ben", "cleo"):
        assert (by_dask["submissions"][(student, "02_stride_padding")]
                == by_pool["submissions"][(student, "02_stride_padding")])


@pytest.mark.slow
def test_feedback_keeps_the_messages_and_never_shows_hidden_tests(graded_course, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(graded_course, course)
    report = generate_feedback(course, ["01_convolution"])
    assert not report.failed and len(report.files) == len(SELECTED["01_convolution"])
    pages = {path.parent.parent.name: _text(path) for path in report.files}
    for student, page in pages.items():
        assert "hidden=True" not in page and "HIDDEN TESTS" not in page, student
        assert page.count("hidden checks: ") == 4, student  # one line per exercise instead
    eve = pages["eve"]  # passes the visible checks, fails the hidden ones
    assert "hidden checks: failed (the message is below)" in eve
    assert re.search(r"corr2d: case \d+ of 30 failed \(random \d+x\d+ image, 4x4 kernel\)", eve)
    assert "Score: 0.0 / 2.0" in eve
    ben = pages["ben"]  # a flipped kernel: the visible check catches it, the hidden one never runs
    assert "hidden checks: not reached (an earlier check failed)" in ben and "kernel flipped" in ben
    # nbgrader's own feedback shows the hidden tests: the test above can fail
    api = nbgrader_api(course)
    assert api.generate_feedback("01_convolution", "eve", force=True)["success"]
    plain = _text(course / "feedback" / "eve" / "01_convolution" / "01_convolution.html")
    assert "hidden=True" in plain and "BEGIN HIDDEN TESTS" in plain


@pytest.mark.slow
def test_export_has_a_row_per_student_and_the_points_of_every_exercise(graded_course, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(graded_course, course)
    with open_gradebook(nbgrader_api(course)) as gradebook:
        gradebook.update_or_create_student("zoe", first_name="Zoe", last_name="Zed", email="zoe@example.org")
    table = export_grades(course, tmp_path / "grades.csv")
    with open(tmp_path / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["student_id"] for row in rows] == ["ada", "ben", "cleo", "dan", "eve", "zoe"]
    by_student = {row["student_id"]: row for row in rows}
    for assignment, students in SELECTED.items():
        expected = expected_scores(assignment, SPEC, course)
        for student in by_student:
            points = expected.get(student, {}) if student in students else {}
            for cell in expected["ada"]:
                assert float(by_student[student][f"{assignment}/{cell}"]) == points.get(cell, 0.0)
            assert float(by_student[student][assignment]) == sum(points.values())
    assert by_student["zoe"]["last_name"] == "Zed" and float(by_student["zoe"]["total"]) == 0.0
    assert float(by_student["ada"]["total"]) == (sum(expected_scores("01_convolution", SPEC, course)["ada"].values())
                                                 + sum(expected_scores("02_stride_padding", SPEC, course)["ada"].values()))
    assert table.max_points["01_convolution/corr2d_test"] == 2.0
