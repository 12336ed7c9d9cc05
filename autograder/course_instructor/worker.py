"""The part of autograding that runs student code: sanitize and execute one submission.

`execute_submission(task)` is what a worker process (local or on a Dask cluster) does with one
submission. It never opens the course's gradebook: everything it needs from it, the
assignment's definition (notebooks, cells, points, the locked cells' source and checksums),
comes inside the task as a small private SQLite copy, so nbgrader's own preprocessors
(`OverwriteCells`, `OverwriteKernelspec`, `Execute`, ...) run unchanged against that copy. What
comes back is the executed notebooks as text; the one writer process (`grading.Recorder`) puts
the scores into the real gradebook with nbgrader's `SaveAutoGrades` and `AssignLatePenalties`.

A task and its result are plain picklable data, so they travel to a process pool or a Dask
cluster alike, and nothing here depends on the course directory being on the same machine.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from traitlets.config import Config
from traitlets.utils.importstring import import_item

__all__ = [
    "SubmissionResult",
    "SubmissionTask",
    "execute_submission",
    "is_db_writer",
    "preprocessor_classes",
    "read_notebook",
]


@dataclass(frozen=True)
class SubmissionTask:
    """Everything a worker needs to autograde one student's submission of one assignment.

    `notebooks` maps each notebook id to the submitted notebook's JSON text; `files` maps the
    relative path of every other file the notebooks may read (the student's, overlaid by the
    assignment's own, as nbgrader does) to its bytes; `definition` is a SQLite gradebook that
    holds only the assignment's definition; `config` is the course's nbgrader configuration;
    `threads` caps the numeric libraries' threads in the student's kernel (0: no cap);
    `figures` False runs matplotlib without a display backend, so figures are drawn into
    nothing: the same grades without the time the figures take.
    """

    assignment: str
    student: str
    notebooks: dict
    files: dict
    definition: bytes
    config: Config
    threads: int = 0
    figures: bool = True


@dataclass
class SubmissionResult:
    """The executed notebooks of one submission (notebook id -> JSON text), or why there are none.

    `error` is empty when the submission was executed (whatever its cells did); otherwise it says
    why it could not be graded, e.g. the student's code killed the kernel. `warnings` are what
    nbgrader noticed on the way (a locked cell the student changed, say); `seconds` holds the time
    spent, by step, and `worker` names the process that did it.
    """

    assignment: str
    student: str
    notebooks: dict = field(default_factory=dict)
    error: str = ""
    warnings: list = field(default_factory=list)
    seconds: dict = field(default_factory=dict)
    worker: str = ""


def preprocessor_classes(config: Config) -> tuple[list, list]:
    """nbgrader's autograde preprocessors as the course configures them: (sanitize, execute)."""
    from nbgrader.converters import Autograde

    converter = Autograde(config=config)
    sanitize = [import_item(p) if isinstance(p, str) else p for p in converter.sanitize_preprocessors]
    execute = [import_item(p) if isinstance(p, str) else p for p in converter.autograde_preprocessors]
    return sanitize, execute


def is_db_writer(preprocessor) -> bool:
    """Whether an autograde preprocessor writes to the gradebook (those run in the writer only)."""
    from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades

    return isinstance(preprocessor, type) and issubclass(preprocessor, (SaveAutoGrades, AssignLatePenalties))


def _kernel_config(config: Config, scratch: Path) -> Config:
    """The course's configuration plus how this worker talks to kernels.

    The kernel client is `course_lib.selfcheck.PatientKernelClient` (jupyter_client's, minus an
    occasional sleep through a reply until the cell's timeout). On POSIX the kernel listens on
    local sockets in the scratch folder rather than TCP ports: nothing to collide when many
    kernels start at once, nothing sent in plain text over the network. Once the notebook has
    run, its kernel is stopped at once rather than asked to shut down: its outputs are in, and
    a graceful exit only costs time.
    """
    config = Config(config)
    if "shutdown_kernel" not in config.Execute and "shutdown_kernel" not in config.ExecutePreprocessor:
        config.Execute.shutdown_kernel = "immediate"
    if "client_class" not in config.AsyncKernelManager:
        config.AsyncKernelManager.client_class = "course_lib.selfcheck.PatientKernelClient"
    if os.name == "posix" and "transport" not in config.KernelManager:
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(scratch / "kernel")
    return config


def _exporter(config: Config, preprocessors: list, log: logging.Logger) -> NotebookExporter:
    """A notebook exporter running exactly these preprocessors, configured like nbgrader's."""
    config = Config(config)
    config.Exporter.default_preprocessors = []
    exporter = NotebookExporter(config=config, log=log)
    for preprocessor in preprocessors:
        exporter.register_preprocessor(preprocessor)
    return exporter


_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


@contextlib.contextmanager
def _environment(**values: str):
    """Set environment variables (inherited by the kernels started meanwhile), then restore them."""
    before = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _Collect(logging.Handler):
    """Keeps the messages logged while one submission is processed."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _why(error: BaseException, notebook: str) -> str:
    """One line on why a submission could not be executed."""
    from nbclient.exceptions import DeadKernelError
    from nbgrader.preprocessors.execute import UnresponsiveKernelError

    if isinstance(error, DeadKernelError):
        return f"the kernel died while running {notebook}.ipynb (the student's code crashed Python or ran out of memory)"
    if isinstance(error, UnresponsiveKernelError):
        return f"the kernel stopped responding while running {notebook}.ipynb and could not be interrupted"
    if isinstance(error, RuntimeError) and "kernel" in str(error).lower():
        return f"the kernel failed while running {notebook}.ipynb: {error}"
    last = traceback.format_exception_only(type(error), error)[-1].strip()
    return f"{notebook}.ipynb could not be autograded: {last}"


def execute_submission(task: SubmissionTask) -> SubmissionResult:
    """Sanitize and execute each notebook of a submission with nbgrader's preprocessors.

    Runs in a scratch folder: the submitted notebooks are cleared of outputs, their locked and
    grade cells restored from the assignment's definition (nbgrader's `OverwriteCells`), and
    executed in a fresh kernel each (nbgrader's `Execute`: the course's timeout, errors
    recorded in the cells). Never raises for a problem of the submission: it comes back in
    `SubmissionResult.error`, so one broken submission cannot stop the others.
    """
    result = SubmissionResult(task.assignment, task.student, worker=f"{os.uname().nodename}:{os.getpid()}")
    started = time.perf_counter()
    sanitize, execute = preprocessor_classes(task.config)
    execute = [p for p in execute if not is_db_writer(p)]
    environment = {"NBGRADER_EXECUTION": "autograde"}
    if task.threads:
        environment.update({name: str(task.threads) for name in _THREAD_VARIABLES})
    if not task.figures:
        environment["MPLBACKEND"] = "agg"
    log = logging.getLogger(f"course.worker.{os.getpid()}")
    log.propagate = False
    log.setLevel(logging.WARNING)
    collect = _Collect()
    log.handlers = [collect]
    notebook = ""
    with tempfile.TemporaryDirectory(prefix="course-grade-") as scratch:
        scratch = Path(scratch)
        config = _kernel_config(task.config, scratch)
        definition = scratch / "definition.db"
        definition.write_bytes(task.definition)
        submitted = scratch / "submitted"
        work = scratch / "work" / task.assignment
        submitted.mkdir()
        work.mkdir(parents=True)
        for relative, content in task.files.items():
            target = work / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        try:
            for notebook, text in sorted(task.notebooks.items()):
                resources = {
                    "unique_key": notebook,
                    "output_files_dir": f"{notebook}_files",
                    "nbgrader": {"student": task.student, "assignment": task.assignment,
                                 "notebook": notebook, "db_url": f"sqlite:///{definition}"},
                }
                source = submitted / f"{notebook}.ipynb"
                source.write_text(text, encoding="utf-8")
                step = time.perf_counter()
                sanitized, _ = _exporter(config, sanitize, log).from_filename(str(source), resources=dict(resources))
                (work / f"{notebook}.ipynb").write_text(sanitized, encoding="utf-8")
                result.seconds["sanitize"] = result.seconds.get("sanitize", 0.0) + time.perf_counter() - step
                step = time.perf_counter()
                with _environment(**environment):
                    executed, _ = _exporter(config, execute, log).from_filename(
                        str(work / f"{notebook}.ipynb"), resources=dict(resources))
                result.seconds["execute"] = result.seconds.get("execute", 0.0) + time.perf_counter() - step
                result.notebooks[notebook] = executed
        except Exception as error:  # noqa: BLE001 - whatever the student's code did, report it
            result.notebooks = {}
            result.error = _why(error, notebook)
    result.warnings = collect.messages
    result.seconds["total"] = time.perf_counter() - started
    return result


def read_notebook(text: str) -> nbformat.NotebookNode:
    """A notebook from the JSON text a worker returned."""
    return nbformat.reads(text, as_version=nbformat.NO_CONVERT)
