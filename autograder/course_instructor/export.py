"""`course export`: the gradebook as one CSV row per student, ready for an LMS import.

Columns: ``student_id``, ``last_name``, ``first_name``, ``email``; then for each assignment its
total (``01_convolution``: points after any late penalty) followed by its exercises
(``01_convolution/corr2d_test``: the points of each grade cell, manual grades where given, else
the autograder's); then ``total``. Every student in the gradebook has a row, and an assignment a
student did not submit counts 0. Numbers are plain (``7`` or ``7.5``), so spreadsheets and LMS
gradebooks read them as numbers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .course import find_course_dir, nbgrader_api, open_gradebook

__all__ = ["GradeTable", "export_grades", "grade_table"]


@dataclass
class GradeTable:
    """The export: `columns` (header), `rows` (one list per student) and `max_points` per column."""

    columns: list
    rows: list
    max_points: dict

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows([[_number(v) if isinstance(v, float) else v for v in row] for row in self.rows])
        return buffer.getvalue()


def _number(value: float) -> str:
    return f"{value:.6g}"


def _cell_order(course_dir: Path, assignment: str, notebook: str) -> dict[str, int]:
    """Position of each graded cell in the master notebook, to order the columns like the notebook."""
    path = Path(course_dir) / "source" / assignment / f"{notebook}.ipynb"
    if not path.is_file():
        return {}
    cells = nbformat.read(path, as_version=4).cells
    return {c.metadata["nbgrader"]["grade_id"]: i for i, c in enumerate(cells)
            if c.metadata.get("nbgrader", {}).get("grade_id")}


def grade_table(course_dir: Path | str | None = None) -> GradeTable:
    """Read the gradebook into a `GradeTable` (see the module docstring for the columns)."""
    course_dir = find_course_dir(course_dir)
    api = nbgrader_api(course_dir)
    columns = ["student_id", "last_name", "first_name", "email"]
    max_points = {}
    layout = []  # (assignment, [(column, notebook, cell)])
    with open_gradebook(api) as gradebook:
        records = sorted(gradebook.assignments, key=lambda a: a.name)
        for assignment in records:
            cells = []
            for notebook in assignment.notebooks:
                order = _cell_order(course_dir, assignment.name, notebook.name)
                graded = list(notebook.grade_cells) + list(notebook.task_cells)
                for cell in sorted(graded, key=lambda c: (order.get(c.name, len(order)), c.name)):
                    column = f"{assignment.name}/{cell.name}" if len(assignment.notebooks) == 1 else \
                        f"{assignment.name}/{notebook.name}/{cell.name}"
                    cells.append((column, notebook.name, cell.name))
                    max_points[column] = float(cell.max_score)
            max_points[assignment.name] = sum(max_points[c] for c, _, _ in cells)
            columns += [assignment.name] + [c for c, _, _ in cells]
            layout.append((assignment.name, cells))
        columns.append("total")
        max_points["total"] = sum(max_points[a] for a, _ in layout)
        scores: dict[str, dict[str, float]] = {}
        for assignment, cells in layout:
            for submission in gradebook.assignment_submissions(assignment):
                row = scores.setdefault(submission.student.id, {})
                penalty = 0.0
                for notebook in submission.notebooks:
                    penalty += notebook.late_submission_penalty or 0.0
                    for grade in notebook.grades:
                        name = grade.cell.name
                        column = next((c for c, n, g in cells if g == name and n == notebook.notebook.name), None)
                        if column:
                            row[column] = float(grade.score or 0.0)
                row[assignment] = max(0.0, sum(row.get(c, 0.0) for c, _, _ in cells) - penalty)
        rows = []
        for student in sorted(gradebook.students, key=lambda s: s.id):
            got = scores.get(student.id, {})
            values = [got.get(column, 0.0) for column in columns[4:-1]]
            total = sum(got.get(a, 0.0) for a, _ in layout)
            rows.append([student.id, student.last_name or "", student.first_name or "", student.email or "",
                         *values, total])
    return GradeTable(columns, rows, max_points)


def export_grades(course_dir: Path | str | None = None, output: Path | str = "grades.csv") -> GradeTable:
    """Write the grade table to `output` as CSV (UTF-8) and return it."""
    table = grade_table(course_dir)
    Path(output).write_text(table.to_csv(), encoding="utf-8")
    return table
