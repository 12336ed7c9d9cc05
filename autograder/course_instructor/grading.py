"""`course grade`: autograde submissions in parallel, with one process writing the gradebook.

nbgrader's `Autograde` executes each notebook and writes the grades from inside its
preprocessors, one submission after another. Here the work is split in two:

* workers (a local process pool, or a Dask cluster) run the student code: nbgrader's sanitize
  and execute preprocessors on a scratch copy of the submission (`worker.execute_submission`),
  with the assignment's definition read from the gradebook beforehand and handed over as a
  small private copy. Workers never open the course's gradebook.
* this process is the only writer: as each executed submission comes back, `Recorder` (nbgrader's
  `Autograde` doing its gradebook part only) records the student and the submission, zeroes
  missing notebooks, runs `SaveAutoGrades` and `AssignLatePenalties` against the course's
  database (SQLite, PostgreSQL, whatever `db_url` says) and writes `autograded/`.

Every write is nbgrader's update-or-create, so grading again gives the same gradebook. A
submission counts as graded once its marker (in `.course_grading/`, written after the gradebook
and `autograded/`) records the fingerprint of what was graded: the submitted files and the
assignment's definition. A run that was killed half way is resumed by running it again; `force`
regrades everything.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import logging
import multiprocessing
import os
import re
import sqlite3
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import nbformat
from nbconvert.writers import FilesWriter
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.utils import find_all_files, rmtree
from sqlalchemy import text
from sqlalchemy.exc import SAWarning

from .course import find_course_dir, nbgrader_api, open_gradebook
from .worker import SubmissionResult, SubmissionTask, execute_submission, is_db_writer, read_notebook

__all__ = [
    "GradeReport",
    "GradingError",
    "Submission",
    "assignment_definition",
    "default_jobs",
    "find_submissions",
    "grade",
    "gradebook_contents",
    "read_autograded",
    "score_table",
]

LOG = logging.getLogger("course.grade")
STATE_DIR = ".course_grading"
"""Where the markers of graded submissions live, inside the course directory."""


class GradingError(RuntimeError):
    """Grading cannot start: the assignment is not registered, or there is nothing to grade."""


@dataclass(frozen=True)
class Submission:
    """One student's submission of one assignment, as found in `submitted/`."""

    assignment: str
    student: str
    path: Path
    fingerprint: str


@dataclass
class GradeReport:
    """What a `grade` run did: submissions graded, failed (with the reason), and up to date."""

    graded: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    up_to_date: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS
        return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------------------------------------
# Reading the gradebook beforehand
# ---------------------------------------------------------------------------------------------


def assignment_definition(gradebook: Gradebook, assignment: str) -> tuple[bytes, str]:
    """The assignment's definition as a standalone SQLite gradebook, and a digest of its content.

    The copy holds the assignment, its notebooks (with their kernelspec), grade, solution and
    task cells (with points) and source cells (with the locked cells' source and checksum):
    what nbgrader's sanitize preprocessors read. The digest changes exactly when that content
    does (the copy's own row ids are random).
    """
    try:
        record = gradebook.find_assignment(assignment)
    except MissingEntry:
        raise GradingError(
            f"assignment {assignment!r} is not in the gradebook: run `course release {assignment}` first") from None
    content = []
    # Stamp the copy with the gradebook's schema version first: a gradebook that is new to
    # nbgrader gets stamped by running `alembic heads` in a subprocess, which takes seconds.
    version = gradebook.db.execute(text("SELECT version_num FROM alembic_version")).scalar()
    with tempfile.TemporaryDirectory(prefix="course-definition-") as scratch:
        path = Path(scratch) / "definition.db"
        with contextlib.closing(sqlite3.connect(path)) as connection, connection:
            connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            connection.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (version,))
        with Gradebook(f"sqlite:///{path}", gradebook.course_id) as copy:
            copy.add_assignment(record.name, duedate=record.duedate)
            for notebook in record.notebooks:
                copy.add_notebook(notebook.name, record.name, kernelspec=notebook.kernelspec)
                content.append(["notebook", notebook.name, notebook.kernelspec])
                for cell in notebook.grade_cells:
                    copy.add_grade_cell(cell.name, notebook.name, record.name,
                                        max_score=cell.max_score, cell_type=cell.cell_type)
                    content.append(["grade", notebook.name, cell.name, cell.max_score, cell.cell_type])
                for cell in notebook.solution_cells:
                    copy.add_solution_cell(cell.name, notebook.name, record.name)
                    content.append(["solution", notebook.name, cell.name])
                for cell in notebook.task_cells:
                    copy.add_task_cell(cell.name, notebook.name, record.name,
                                       max_score=cell.max_score, cell_type=cell.cell_type)
                    content.append(["task", notebook.name, cell.name, cell.max_score, cell.cell_type])
                for cell in notebook.source_cells:
                    copy.add_source_cell(cell.name, notebook.name, record.name, cell_type=cell.cell_type,
                                         locked=cell.locked, source=cell.source, checksum=cell.checksum)
                    content.append(["source", notebook.name, cell.name, cell.cell_type, cell.locked, cell.checksum])
        data = path.read_bytes()
    digest = hashlib.sha256(json.dumps(sorted(content, key=str)).encode()).hexdigest()
    return data, digest


def _files(directory: Path, ignore: list[str]) -> dict[str, bytes]:
    """Every file under `directory` but notebooks and ignored ones, by relative path."""
    return {
        os.path.relpath(path, directory): Path(path).read_bytes()
        for path in find_all_files(str(directory), ignore + ["*.ipynb"])
    }


def find_submissions(api, assignment: str, students: Iterable[str] | None = None,
                     definition_digest: str = "") -> list[Submission]:
    """The submissions of `assignment` in `submitted/` (only those of `students` if given)."""
    coursedir = api.coursedir
    wanted = set(students) if students else None
    excluded = set(filter(None, coursedir.student_id_exclude.split(",")))
    pattern = re.compile(coursedir.format_path(coursedir.submitted_directory, "(?P<student_id>[^/]+)",
                                               re.escape(assignment), escape=True) + "$")
    found = []
    for path in sorted(glob.glob(coursedir.format_path(coursedir.submitted_directory, "*", assignment))):
        match = pattern.match(path)
        if not match or not os.path.isdir(path):
            continue
        student = match.group("student_id")
        if student in excluded or (wanted is not None and student not in wanted):
            continue
        digest = hashlib.sha256(definition_digest.encode())
        for file in sorted(find_all_files(path, coursedir.ignore)):
            digest.update(os.path.relpath(file, path).encode() + b"\0" + Path(file).read_bytes() + b"\0")
        path = Path(path)
        found.append(Submission(assignment, student, path, digest.hexdigest()))
    return found


# ---------------------------------------------------------------------------------------------
# The writer
# ---------------------------------------------------------------------------------------------


class Recorder(Autograde):
    """nbgrader's Autograde doing its gradebook part only, for notebooks executed elsewhere.

    For one submission it runs nbgrader's own steps in nbgrader's order: `init_assignment`
    (create or update the student and the submission with its timestamp, copy the files, score
    missing notebooks 0), then the autograde preprocessors that write the gradebook
    (`SaveAutoGrades`, `AssignLatePenalties`, as configured) on each executed notebook, then
    write it to `autograded/`.
    """

    def __init__(self, coursedir, config, log: logging.Logger = LOG):
        super().__init__(coursedir=coursedir, config=config, log=log)
        self.autograde_preprocessors = [p for p in self.autograde_preprocessors if is_db_writer(p)]
        self.writer = FilesWriter(parent=self, config=self.config)
        self.exporter = self.exporter_class(parent=self, config=self.config)

    def _marker(self, submission: Submission) -> Path:
        return Path(self.coursedir.root) / STATE_DIR / submission.assignment / f"{submission.student}.json"

    def is_up_to_date(self, submission: Submission) -> bool:
        """Whether this very submission was graded (and recorded) already."""
        marker = self._marker(submission)
        dest = Path(self._format_dest(submission.assignment, submission.student))
        try:
            return json.loads(marker.read_text())["fingerprint"] == submission.fingerprint and dest.is_dir()
        except (OSError, ValueError, KeyError):
            return False

    def forget(self, submission: Submission) -> None:
        """Drop what says the submission is graded (as nbgrader removes a failed submission's files)."""
        self._marker(submission).unlink(missing_ok=True)
        dest = Path(self._format_dest(submission.assignment, submission.student))
        if dest.exists():
            rmtree(str(dest))

    def record(self, submission: Submission, executed: dict[str, str]) -> None:
        """Put one executed submission into the gradebook and `autograded/`, then mark it graded."""
        self.forget(submission)
        with warnings.catch_warnings():
            # nbgrader's add_submission trips SQLAlchemy's autoflush warnings; they are harmless
            warnings.simplefilter("ignore", SAWarning)
            self._record(submission, executed)
        marker = self._marker(submission)
        marker.parent.mkdir(parents=True, exist_ok=True)
        temporary = marker.with_suffix(".tmp")
        temporary.write_text(json.dumps({"fingerprint": submission.fingerprint}))
        temporary.replace(marker)

    def _record(self, submission: Submission, executed: dict[str, str]) -> None:
        assignment, student = submission.assignment, submission.student
        self._sanitizing = True
        self.notebooks = sorted(str(p) for p in submission.path.glob("*.ipynb"))
        self.init_assignment(assignment, student)  # also drops notebooks the gradebook does not know
        resources = {path: self.init_single_notebook_resources(path) for path in self.notebooks}
        self._sanitizing = False
        self._init_preprocessors()
        for path in self.notebooks:
            notebook_id = Path(path).stem
            output, notebook_resources = self.exporter.from_notebook_node(
                read_notebook(executed[notebook_id]), resources=resources[path])
            self.write_single_notebook(output, notebook_resources)
        self.set_permissions(assignment, student)
        self._sanitizing = True


# ---------------------------------------------------------------------------------------------
# Running the workers
# ---------------------------------------------------------------------------------------------


def _start_method() -> str:
    """Fork where it is safe and cheap (Linux: workers start with everything imported), else spawn."""
    return "fork" if sys.platform.startswith("linux") else "spawn"


def _run_local(tasks: list[SubmissionTask], jobs: int) -> Iterator[SubmissionResult]:
    """Start `jobs` worker processes on the tasks; return an iterator of the results as they come.

    The processes start here, before the caller starts any thread (a progress bar's), so that
    forking them is safe.
    """
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(_start_method()))
    futures = {pool.submit(execute_submission, task): task for task in tasks}

    def results() -> Iterator[SubmissionResult]:
        try:
            for future in as_completed(futures):
                task = futures[future]
                try:
                    yield future.result()
                except Exception as error:  # noqa: BLE001 - a worker process died: report, go on
                    yield SubmissionResult(task.assignment, task.student,
                                           error=f"the worker process failed: {type(error).__name__}: {error}")
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    return results()


def _run_dask(tasks: list[SubmissionTask], address: str) -> Iterator[SubmissionResult]:
    """Execute the tasks on the Dask cluster at `address`; yield the results as they come."""
    from distributed import Client
    from distributed import as_completed as dask_as_completed

    with Client(address, set_as_default=False) as client:
        futures = {
            client.submit(execute_submission, task, pure=False,
                          key=f"grade-{task.assignment}-{task.student}-{os.getpid()}-{time.time_ns()}"): task
            for task in tasks
        }
        try:
            for future in dask_as_completed(futures, loop=client.loop):
                task = futures[future]
                try:
                    yield future.result()
                except Exception as error:  # noqa: BLE001 - a lost worker, say: report, go on
                    yield SubmissionResult(task.assignment, task.student,
                                           error=f"the Dask cluster could not run it: {type(error).__name__}: {error}")
        except BaseException:
            client.cancel(list(futures))
            raise


def grade(assignments: str | list[str], course_dir: Path | str | None = None, *,
          students: Iterable[str] | None = None, jobs: int | None = None, dask: str | None = None,
          force: bool = False, threads: int | None = None, figures: bool = True,
          progress: bool = True) -> GradeReport:
    """Autograde the submissions of one or more assignments; return what happened.

    Parameters
    ----------
    assignments : str or list of str
        Assignment ids; their submissions are in `submitted/<student>/<assignment>/`.
    course_dir : path, optional
        The course directory (see `find_course_dir`).
    students : iterable of str, optional
        Grade only these students.
    jobs : int, optional
        Worker processes on this machine (default: one per core). Ignored with `dask`.
    dask : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``) to run the workers on.
        Its workers need the course environment, and one thread each (``dask worker ADDRESS
        --nthreads 1``): a task sets the environment its kernel starts with.
    force : bool
        Regrade submissions that are graded and unchanged (default: skip them).
    threads : int, optional
        Numeric-library threads in each student's kernel (default: the cores shared out
        between the local workers; no cap on Dask).
    figures : bool
        Render the notebooks' figures (default). Without, matplotlib draws into nothing: the
        same grades, no pictures in `autograded/` and the feedback, and none of the time the
        figures take (half the kernel's CPU time in notebook 01).
    progress : bool
        Show a progress bar.
    """
    from tqdm import tqdm

    started = time.perf_counter()
    course_dir = find_course_dir(course_dir)
    assignments = [assignments] if isinstance(assignments, str) else list(assignments)
    api = nbgrader_api(course_dir)
    config = api.config
    coursedir = api.coursedir
    jobs = jobs or default_jobs()
    if threads is None:
        threads = 0 if dask else max(1, default_jobs() // jobs)
    recorder = Recorder(coursedir, config)
    report = GradeReport()
    pending: dict[tuple[str, str], Submission] = {}
    tasks = []
    with open_gradebook(api) as gradebook:
        for assignment in assignments:
            definition, digest = assignment_definition(gradebook, assignment)
            known = {notebook.name for notebook in gradebook.find_assignment(assignment).notebooks}
            source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
            source_files = _files(source, coursedir.ignore)
            for name in recorder.exclude_overwriting.get(assignment, []):
                source_files.pop(name, None)
            for submission in find_submissions(api, assignment, students, digest):
                if not force and recorder.is_up_to_date(submission):
                    report.up_to_date.append(submission)
                    continue
                notebooks = {path.stem: path.read_text(encoding="utf-8")
                             for path in sorted(submission.path.glob("*.ipynb")) if path.stem in known}
                files = {**_files(submission.path, coursedir.ignore), **source_files}
                pending[(assignment, submission.student)] = submission
                tasks.append(SubmissionTask(assignment, submission.student, notebooks, files,
                                            definition, config, threads, figures))
    if not tasks:
        results = iter(())
    elif dask:
        results = _run_dask(tasks, dask)
    else:
        results = _run_local(tasks, min(jobs, len(tasks)))
    bar = tqdm(total=len(tasks), desc="grading", unit="submission", disable=not progress or not tasks,
               file=sys.stderr, dynamic_ncols=True)
    with bar:
        for result in results:
            submission = pending[(result.assignment, result.student)]
            if not result.error:
                try:
                    recorder.record(submission, result.notebooks)
                except Exception as error:  # noqa: BLE001 - report it with the others, go on
                    LOG.exception("recording %s/%s failed", result.student, result.assignment)
                    result.error = f"could not be recorded in the gradebook: {type(error).__name__}: {error}"
            if result.error:
                recorder.forget(submission)
                report.failed.append(result)
            else:
                report.graded.append(result)
            bar.set_postfix_str(f"{result.student}/{result.assignment}" + (" FAILED" if result.error else ""))
            bar.update()
    report.seconds = time.perf_counter() - started
    return report


def score_table(course_dir: Path | str | None, assignments: list[str]) -> list[dict]:
    """Scores from the gradebook: one row per (student, assignment) with a submission."""
    api = nbgrader_api(find_course_dir(course_dir))
    rows = []
    with open_gradebook(api) as gradebook:
        for assignment in assignments:
            for submission in sorted(gradebook.assignment_submissions(assignment), key=lambda s: s.student.id):
                rows.append({
                    "student": submission.student.id,
                    "assignment": assignment,
                    "score": submission.score,
                    "max_score": submission.max_score,
                    "needs_manual_grade": submission.needs_manual_grade,
                })
    return rows


def gradebook_contents(course_dir: Path | str | None = None) -> dict:
    """Everything grading puts into the gradebook, as plain comparable data (no row ids).

    ``{"rows": {table: count}, "submissions": {(student, assignment): {...}}}``: row counts
    of the submission tables (a duplicated or lost row changes them), and per submission its
    timestamp, and per notebook its late penalty and per graded or solution cell its grade
    (auto, manual, extra credit, needs manual grade) and comment. Two gradebooks that graded
    the same submissions the same way compare equal.
    """
    api = nbgrader_api(find_course_dir(course_dir))
    contents = {"rows": {}, "submissions": {}}
    with open_gradebook(api) as gradebook:
        for table in ("student", "submitted_assignment", "submitted_notebook", "grade", "comment"):
            contents["rows"][table] = gradebook.db.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
        for assignment in gradebook.assignments:
            for submission in gradebook.assignment_submissions(assignment.name):
                notebooks = {}
                for notebook in submission.notebooks:
                    notebooks[notebook.notebook.name] = {
                        "late_submission_penalty": notebook.late_submission_penalty,
                        "grades": {g.cell.name: (g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade)
                                   for g in notebook.grades},
                        "comments": {c.cell.name: (c.auto_comment, c.manual_comment) for c in notebook.comments},
                    }
                contents["submissions"][(submission.student.id, assignment.name)] = {
                    "timestamp": submission.timestamp, "notebooks": notebooks}
    return contents


def read_autograded(course_dir: Path | str, assignment: str, student: str) -> dict[str, nbformat.NotebookNode]:
    """The autograded notebooks of a submission, by notebook id."""
    api = nbgrader_api(find_course_dir(course_dir))
    folder = Path(api.coursedir.format_path(api.coursedir.autograded_directory, student, assignment))
    return {path.stem: nbformat.read(path, as_version=4) for path in sorted(folder.glob("*.ipynb"))}
