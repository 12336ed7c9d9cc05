"""The `course` command: release registers in the gradebook, collect from folders and zips, the
student's self-check, export; and the example submissions stay in step with the masters."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_instructor.cli import main
from course_instructor.course import COURSE_DIR, assignments, nbgrader_api, open_gradebook
from course_instructor.examples import build_submission, exercises, expected_scores, load_spec, students_of
from course_lib.grading import check
from test_grading_pipeline_robustness import SOLUTIONS, make_tiny_course

SPEC = load_spec()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return make_tiny_course(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def course(tiny, tmp_path) -> Path:
    """A fresh copy of the tiny course (registered, nothing submitted)."""
    shutil.copytree(tiny, tmp_path / "course")
    return tmp_path / "course"


def _student_notebook(course: Path, solution: str | None) -> nbformat.NotebookNode:
    notebook = nbformat.read(course / "release" / "tiny" / "tiny.ipynb", as_version=4)
    if solution is not None:
        notebook.cells[2].source = solution
    return notebook


def _submitted(course: Path) -> dict[str, str]:
    """Each collected submission's solution cell, by student."""
    return {path.parent.parent.name: nbformat.read(path, as_version=4).cells[2].source
            for path in sorted((course / "submitted").glob("*/tiny/tiny.ipynb"))}


# ---------------------------------------------------------------------------------------------
# release
# ---------------------------------------------------------------------------------------------


def test_release_registers_the_assignment_with_its_cells_and_points(tmp_path, capsys):
    course = make_tiny_course(tmp_path / "course")
    shutil.rmtree(course / "release")
    (course / "gradebook.db").unlink()
    assert main(["--course-dir", str(course), "release", "tiny"]) == 0
    assert "registered tiny" in capsys.readouterr().out
    with open_gradebook(nbgrader_api(course)) as gradebook:
        notebook = gradebook.find_notebook("tiny", "tiny")
        assert {c.name: c.max_score for c in notebook.grade_cells} == {"double_test": 2.0, "why": 1.0}
        assert {c.name for c in notebook.solution_cells} == {"double", "why"}
        assert "double(5) == 10" in gradebook.find_source_cell("double_test", "tiny", "tiny").source
    assert (course / "release" / "tiny" / "tiny.ipynb").is_file()


def test_release_rejects_unknown_assignments(course, capsys):
    assert main(["--course-dir", str(course), "release", "nope"]) == 2
    assert "unknown assignment(s): nope" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# collect
# ---------------------------------------------------------------------------------------------


def test_collect_maps_lms_file_names_and_reports_the_rest(course, tmp_path, capsys):
    download = tmp_path / "download"
    names = {
        "ann_tiny.ipynb": "ann",                                                          # plain
        "Week 1_bob_attempt_2026-01-30-15-00-00_tiny.ipynb": "bob",                       # Blackboard
        "doecat_LATE_48213_5123456_tiny-1.ipynb": "cat",                                  # Canvas
        "Dot Smith_4127_assignsubmission_file_/tiny.ipynb": "dot",                         # Moodle
        "notes.txt": None,
        "tiny.ipynb": None,
        "eli_homework.ipynb": None,
    }
    for name, student in names.items():
        path = download / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(_student_notebook(course, SOLUTIONS.get(student or "ann")), path)
    assert main(["--course-dir", str(course), "collect", str(download)]) == 1  # unmapped files: attention
    out, err = capsys.readouterr()
    assert sorted(_submitted(course)) == ["4127", "48213", "ann", "bob"]
    assert _submitted(course)["bob"] == SOLUTIONS["bob"]
    assert (course / "submitted" / "bob" / "tiny" / "timestamp.txt").read_text() == "2026-01-30 15:00:00"
    for name in ("notes.txt", "tiny.ipynb", "eli_homework.ipynb"):
        assert f"UNMAPPED  {name}" in err
    assert "4 new, 0 replaced, 0 unchanged, 0 not collected, 3 unmapped" in out


def test_collect_from_a_zip_and_an_assignment_renamed_by_the_lms(course, tmp_path, capsys):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("ann_tiny.ipynb", nbformat.writes(_student_notebook(course, SOLUTIONS["ann"])))
        bundle.writestr("inner/fay_tiny.ipynb", nbformat.writes(_student_notebook(course, SOLUTIONS["fay"])))
        bundle.writestr("__MACOSX/._ann_tiny.ipynb", "junk")
    assert main(["--course-dir", str(course), "collect", str(archive)]) == 0
    assert _submitted(course) == {"ann": SOLUTIONS["ann"], "fay": SOLUTIONS["fay"]}
    # --assignment: a file named after no notebook goes to the assignment's only notebook
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    nbformat.write(_student_notebook(course, SOLUTIONS["dot"]), renamed / "Week 2_dot_attempt_2026-02-01-10-00-00_my work.ipynb")
    assert main(["--course-dir", str(course), "collect", str(renamed), "--assignment", "tiny"]) == 0
    assert _submitted(course)["dot"] == SOLUTIONS["dot"]
    capsys.readouterr()


def test_collect_never_overwrites_a_newer_submission_silently(course, tmp_path, capsys):
    def download(name: str, student: str) -> Path:
        folder = tmp_path / f"download-{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        nbformat.write(_student_notebook(course, SOLUTIONS[student]), folder / name)
        return folder

    first = download("Week 1_ann_attempt_2026-01-30-15-00-00_tiny.ipynb", "ann")
    assert main(["--course-dir", str(course), "collect", str(first)]) == 0
    older = download("Week 1_ann_attempt_2026-01-29-15-00-00_tiny.ipynb", "bob")
    assert main(["--course-dir", str(course), "collect", str(older)]) == 1
    assert "NOT COLLECTED ann/tiny" in capsys.readouterr().err
    assert _submitted(course)["ann"] == SOLUTIONS["ann"]
    newer = download("Week 1_ann_attempt_2026-01-31-15-00-00_tiny.ipynb", "dot")
    assert main(["--course-dir", str(course), "collect", str(newer)]) == 0
    assert "replaced  ann/tiny" in capsys.readouterr().out and _submitted(course)["ann"] == SOLUTIONS["dot"]
    # without timestamps nothing tells which is newer: kept, unless forced
    undated = download("ann_tiny.ipynb", "fay")
    assert main(["--course-dir", str(course), "collect", str(undated)]) == 1
    assert _submitted(course)["ann"] == SOLUTIONS["dot"]
    assert main(["--course-dir", str(course), "collect", str(undated), "--force"]) == 0
    assert _submitted(course)["ann"] == SOLUTIONS["fay"]
    assert not (course / "submitted" / "ann" / "tiny" / "timestamp.txt").exists()
    assert main(["--course-dir", str(course), "collect", str(undated)]) == 0
    assert "unchanged ann/tiny" in capsys.readouterr().out


def test_two_attempts_in_one_download_keep_the_newest(course, tmp_path, capsys):
    folder = tmp_path / "download"
    folder.mkdir()
    nbformat.write(_student_notebook(course, SOLUTIONS["bob"]), folder / "Week 1_ann_attempt_2026-01-30-15-00-00_tiny.ipynb")
    nbformat.write(_student_notebook(course, SOLUTIONS["ann"]), folder / "Week 1_ann_attempt_2026-01-30-16-00-00_tiny.ipynb")
    assert main(["--course-dir", str(course), "collect", str(folder)]) == 1  # the older attempt is reported
    assert _submitted(course) == {"ann": SOLUTIONS["ann"]}
    assert "an older attempt, not collected" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# check (the student's side) and export
# ---------------------------------------------------------------------------------------------


def test_check_prints_the_score_table_of_the_visible_checks(course, tmp_path, capsys):
    nbformat.write(_student_notebook(course, SOLUTIONS["bob"]), tmp_path / "bob.ipynb")  # passes the visible test
    nbformat.write(_student_notebook(course, None), tmp_path / "blank.ipynb")
    assert main(["check", str(tmp_path / "bob.ipynb")]) == 0
    table = capsys.readouterr().out
    assert re.search(r"double_test\s+2\s+passed", table)
    assert re.search(r"why\s+1\s+graded by hand", table)
    assert "visible checks passed: 2 of 2 points" in table
    done = subprocess.run([sys.executable, "-m", "course_lib.selfcheck", str(tmp_path / "blank.ipynb")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert re.search(r"double_test\s+2\s+failed\s+NotImplementedError", done.stdout)
    assert "visible checks passed: 0 of 2 points" in done.stdout
    assert main(["check", str(tmp_path / "missing.ipynb")]) == 2


def test_export_gives_students_without_submissions_zeros(course, tmp_path, capsys):
    with open_gradebook(nbgrader_api(course)) as gradebook:
        gradebook.update_or_create_student("ann", first_name="Ann", last_name="Lee")
    assert main(["--course-dir", str(course), "export", "--output", str(tmp_path / "grades.csv")]) == 0
    assert (tmp_path / "grades.csv").read_text().splitlines() == [
        "student_id,last_name,first_name,email,tiny,tiny/double_test,tiny/why,total",
        "ann,Lee,Ann,,0,0,0,0",
    ]
    assert re.search(r"ann\s+0", capsys.readouterr().out)


# ---------------------------------------------------------------------------------------------
# The example submissions (autograder/examples/students.json) against the masters
# ---------------------------------------------------------------------------------------------

EXAMPLES = assignments(COURSE_DIR)


def test_the_spec_names_only_assignments_that_exist():
    assert set(SPEC["students"]) | set(SPEC["bugs"]) <= set(EXAMPLES)


@pytest.mark.parametrize("assignment", EXAMPLES)
def test_named_bugs_fail_where_the_spec_says(assignment):
    """Each bug, applied to the master's solution, fails the visible checks (or, if `hidden_only`,
    passes them and fails the hidden ones), run here in-process with the checkers."""
    found = exercises(assignment, COURSE_DIR)
    for name, bug in SPEC["bugs"].get(assignment, {}).items():
        namespace = {"np": np, "cl": __import__("course_lib")}
        for exercise in found.values():
            source = exercise.solution
            if exercise.id == bug["exercise"]:
                assert source.count(bug["replace"]) == 1, f"bug {name!r} no longer applies to the master"
                source = source.replace(bug["replace"], bug["with"])
            exec(compile(source, exercise.id, "exec"), namespace)  # noqa: S102 - the course's own masters
        outcomes = []
        for hidden in (False, True):
            try:
                check(bug["exercise"], namespace[bug["exercise"]], hidden=hidden)
                outcomes.append("pass")
            except AssertionError:
                outcomes.append("fail")
        assert outcomes == (["pass", "fail"] if bug.get("hidden_only") else ["fail", "fail"]), name


@pytest.mark.parametrize("assignment", EXAMPLES)
def test_example_submissions_are_built_from_the_masters(assignment):
    from course_instructor.release import generate_student_version

    released = generate_student_version(assignment, COURSE_DIR)
    found = exercises(assignment, COURSE_DIR)
    expected = expected_scores(assignment, SPEC, COURSE_DIR)
    full = {e.test_cell: e.points for e in found.values()}
    assert expected["ada"] == full and sum(expected["cleo"].values()) == 0
    students = students_of(SPEC, assignment)
    assert len(students) >= 3
    for student, spec in students.items():
        notebook = build_submission(assignment, student, SPEC, COURSE_DIR, released)
        cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in notebook.cells}
        for exercise in found.values():
            behaviour = spec.get("exercises", {}).get(exercise.id, spec["default"])
            source = cells[exercise.solution_cell]
            assert ("NotImplementedError" in source) == (behaviour == "blank"), (student, exercise.id)
            assert "### BEGIN SOLUTION" not in source
            if behaviour == "solved":
                assert source.strip() == exercise.solution.strip()
        if student != "ada":
            assert sum(expected[student].values()) < sum(full.values()), student
