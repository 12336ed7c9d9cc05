"""Check a notebook before handing it in: run it and print a score table of its visible checks.

From a terminal, in the folder of the notebook::

    python -m course_lib.selfcheck 01_convolution.ipynb

runs the notebook from top to bottom in a fresh kernel (your saved file is not changed) and
prints, for each exercise, the points it is worth, whether its visible checks passed and the
first line of the message when they did not. It needs nothing but the notebook: the grader runs
the same cells, plus hidden checks drawn differently, so a pass here is necessary, not
sufficient. Like the grader, it counts a check cell that printed to stderr as failed.

`PatientKernelClient` is the kernel client this module (and the instructor's grader) runs
notebooks with; see its docstring.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from traitlets import Type

__all__ = ["CheckRow", "PatientChannel", "PatientKernelClient", "format_table", "main", "run_checks"]

POLL_SECONDS = 0.25
"""The longest a kernel message waits unnoticed (see `PatientKernelClient`)."""

WRITTEN = "graded by hand"


class PatientChannel(AsyncZMQSocketChannel):
    """An asyncio channel whose `get_msg` polls in slices of `POLL_SECONDS` until its timeout."""

    async def get_msg(self, timeout: float | None = None) -> dict:  # type: ignore[override]
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = POLL_SECONDS if deadline is None else deadline - time.monotonic()
            try:
                return await super().get_msg(timeout=max(0.0, min(POLL_SECONDS, left)))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise


class PatientKernelClient(AsyncKernelClient):
    """jupyter_client's asyncio kernel client that never sleeps through a message.

    Its channels wait for a message with one `socket.poll(timeout)`, and under load that wait
    now and then misses the socket's wake-up: the reply is there, but the notebook runner
    sleeps until the cell's whole timeout has passed (300 s in this course) and then carries on
    as if nothing happened (about one run in ten of 01_convolution on a busy 2-core machine).
    This client polls in slices of `POLL_SECONDS` instead. Select it with
    ``c.AsyncKernelManager.client_class = "course_lib.selfcheck.PatientKernelClient"``.
    """

    shell_channel_class = Type(PatientChannel)  # type: ignore[assignment]
    iopub_channel_class = Type(PatientChannel)  # type: ignore[assignment]
    stdin_channel_class = Type(PatientChannel)  # type: ignore[assignment]
    control_channel_class = Type(PatientChannel)  # type: ignore[assignment]


@dataclass(frozen=True)
class CheckRow:
    """One graded cell: the exercise it checks, its points, what happened and why."""

    exercise: str
    points: float
    result: str
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.result == "passed"


def _first_line(text: str) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text).strip()
    return text.splitlines()[0] if text else ""


def _judge(cell) -> tuple[str, str]:
    """What nbgrader would conclude from a check cell's outputs: passed, or failed and why."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            name, message = output.get("ename", "Error"), _first_line(output.get("evalue", ""))
            if name == "AssertionError" and message:  # a checker's message speaks for itself
                return "failed", message
            return "failed", f"{name}: {message}" if message else name
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return "failed", f"printed to stderr (the grader counts that as failed): {_first_line(output.get('text', ''))}"
    return "passed", ""


def run_checks(path: str | Path, timeout: int = 300) -> list[CheckRow]:
    """Run the notebook at `path` in its own folder and judge each of its graded cells.

    Returns one `CheckRow` per graded cell, in notebook order: check cells are ``"passed"`` or
    ``"failed"``, written answers are ``"graded by hand"``. The file itself is not modified.
    """
    import nbformat
    from nbclient import NotebookClient
    from traitlets.config import Config

    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    config = Config()
    config.AsyncKernelManager.client_class = "course_lib.selfcheck.PatientKernelClient"
    kernel = notebook.metadata.get("kernelspec", {}).get("name", "python3")
    with tempfile.TemporaryDirectory(prefix="selfcheck-") as sockets:
        if os.name == "posix":  # talk to the kernel over local sockets, not TCP ports
            config.KernelManager.transport = "ipc"
            config.KernelManager.ip = os.path.join(sockets, "kernel")
        client = NotebookClient(notebook, config=config, timeout=timeout, kernel_name=kernel, allow_errors=True,
                                resources={"metadata": {"path": str(path.resolve().parent)}})
        client.execute()
    rows = []
    for cell in notebook.cells:
        grading = cell.metadata.get("nbgrader", {})
        if not grading.get("grade"):
            continue
        points = float(grading.get("points", 0))
        match = re.search(r"check\(\s*[\"'](\w+)[\"']", cell.source)
        exercise = match.group(1) if match else grading.get("grade_id", "?")
        if cell.cell_type != "code":
            rows.append(CheckRow(exercise, points, WRITTEN))
        else:
            rows.append(CheckRow(exercise, points, *_judge(cell)))
    return rows


def format_table(rows: list[CheckRow], width: int = 100) -> str:
    """The rows as a text table with a total line."""
    name_width = max([len("exercise")] + [len(row.exercise) for row in rows])
    lines = [f"{'exercise':<{name_width}}  {'points':>6}  {'result':<14}  message",
             f"{'-' * name_width}  {'-' * 6}  {'-' * 14}  {'-' * 7}"]
    for row in rows:
        line = f"{row.exercise:<{name_width}}  {row.points:>6g}  {row.result:<14}  {row.message}"
        lines.append(line if len(line) <= width else line[: width - 3] + "...")
    checked = [row for row in rows if row.result != WRITTEN]
    earned = sum(row.points for row in checked if row.passed)
    available = sum(row.points for row in checked)
    written = sum(row.points for row in rows if row.result == WRITTEN)
    lines.append("")
    lines.append(f"visible checks passed: {earned:g} of {available:g} points"
                 + (f"; written answers ({written:g} points) are graded by hand" if written else "")
                 + ". The grader also runs hidden checks.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: run a notebook's checks, print the table; exit 0 when every check passed."""
    parser = argparse.ArgumentParser(prog="python -m course_lib.selfcheck",
                                     description="Run a course notebook and print a score table of its visible checks.")
    parser.add_argument("notebook", help="the .ipynb file to check")
    parser.add_argument("--timeout", type=int, default=300, help="seconds a cell may run (default: 300)")
    args = parser.parse_args(argv)
    path = Path(args.notebook)
    if not path.is_file():
        print(f"no such notebook: {path}", file=sys.stderr)
        return 2
    print(f"running {path} ...", file=sys.stderr)
    rows = run_checks(path, timeout=args.timeout)
    if not rows:
        print(f"{path} has no graded cells: is it a course notebook?", file=sys.stderr)
        return 2
    print(format_table(rows))
    return 0 if all(row.passed for row in rows if row.result != WRITTEN) else 1


if __name__ == "__main__":
    sys.exit(main())
