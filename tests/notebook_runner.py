"""Run notebooks headless with nbclient and read what their cells did (used by the notebook tests)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from traitlets.config import Config

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@dataclass
class CellError:
    index: int
    ename: str
    evalue: str
    is_grade_cell: bool
    is_solution_cell: bool
    source_head: str

    def __str__(self) -> str:
        return f"cell {self.index} ({self.source_head!r}): {self.ename}: {self.evalue[:300]}"


@dataclass
class NotebookRun:
    notebook: nbformat.NotebookNode
    seconds: float
    errors: list[CellError] = field(default_factory=list)

    def count_outputs(self, mime: str) -> int:
        return sum(
            mime in output.get("data", {})
            for cell in self.notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", [])
        )


def run_notebook(path: Path, timeout: int = 300) -> NotebookRun:
    """Execute the notebook at `path` in its own folder, keep going past errors, and report them."""
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    config = Config()
    # jupyter_client now and then sleeps through a kernel's reply until the cell timeout; the
    # course's patient client polls in short slices instead (see course_lib.selfcheck).
    config.AsyncKernelManager.client_class = "course_lib.selfcheck.PatientKernelClient"
    client = NotebookClient(
        notebook, config=config, timeout=timeout, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}}, store_widget_state=True,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    errors = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                grading = cell.metadata.get("nbgrader", {})
                errors.append(CellError(
                    index, output["ename"], output["evalue"],
                    bool(grading.get("grade")), bool(grading.get("solution")),
                    cell.source.strip().splitlines()[0][:60] if cell.source.strip() else "",
                ))
    return NotebookRun(notebook, seconds, errors)
