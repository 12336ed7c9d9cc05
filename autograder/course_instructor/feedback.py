"""`course feedback`: HTML feedback per student, without the hidden tests' code.

nbgrader's generate_feedback renders the autograded notebook, and the autograded notebook holds
the master's test cells, hidden tests included: its feedback shows them to students (nbgrader
issues #917 and #1363), and so do the tracebacks, whose context lines quote the hidden code.
Here nbgrader's `GenerateFeedback` runs with one more preprocessor first, `StripHiddenTests`:
in every cell with a hidden-tests block it removes the block's source (nbgrader's own
`ClearHiddenTests` logic and delimiters), leaves one comment saying how the hidden checks went,
and replaces each error's traceback with the error's type and message, which is what the
checkers write for students. Scores, comments and everything else are nbgrader's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

from .course import assignments as course_assignments
from .course import find_course_dir, nbgrader_api

__all__ = ["FeedbackReport", "StripHiddenTests", "generate_feedback"]

_CELL_LINE = re.compile(r"(?:Cell In\s*\[\d*\]|<ipython-input-[^>]*>|Input In \[\d*\]),\s*line (\d+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class StripHiddenTests(ClearHiddenTests):
    """Remove hidden-test blocks from an executed notebook and keep only their outcome.

    A cell whose source has a ``BEGIN HIDDEN TESTS`` ... ``END HIDDEN TESTS`` block loses the
    block (delimiters included) and gains a last line: ``# hidden checks: passed``, ``...:
    failed (the message is below)`` or ``...: not reached (an earlier check failed)``. Each of
    its error outputs keeps its type and message, and loses its traceback.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if self.begin_test_delimeter not in cell.source:
            return cell, resources
        if cell.cell_type != "code":
            self._remove_hidden_test_region(cell)
            return cell, resources
        lines = cell.source.split("\n")
        begin = next(i for i, line in enumerate(lines) if self.begin_test_delimeter in line)
        end = next((i for i, line in enumerate(lines) if self.end_test_delimeter in line and i > begin), len(lines) - 1)
        self._remove_hidden_test_region(cell)
        errors = [output for output in cell.get("outputs", []) if output.get("output_type") == "error"]
        if not errors:
            outcome = "passed"
        elif any(begin < line <= end for line in self._failing_lines(errors)):
            outcome = "failed (the message is below)"
        else:
            outcome = "not reached (an earlier check failed)"
        cell.source = cell.source.rstrip("\n") + f"\n# hidden checks: {outcome}"
        for output in errors:
            output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources

    @staticmethod
    def _failing_lines(errors) -> list[int]:
        """The 0-based lines of the cell where the errors were raised, as the tracebacks say."""
        found = []
        for output in errors:
            text = _ANSI.sub("", "\n".join(output.get("traceback", [])))
            match = _CELL_LINE.search(text)
            if match:
                found.append(int(match.group(1)) - 1)
        return found


@dataclass
class FeedbackReport:
    """The feedback files written, and the assignments nbgrader could not do (with its log)."""

    files: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)


def generate_feedback(course_dir: Path | str | None = None, assignments: list[str] | None = None,
                      student: str | None = None) -> FeedbackReport:
    """Write `feedback/<student>/<assignment>/<notebook>.html` for every autograded submission of the
    selected assignments (default: every assignment with one), or one student's only."""
    course_dir = find_course_dir(course_dir)
    api = nbgrader_api(course_dir, GenerateFeedback={
        "preprocessors": [StripHiddenTests, GetGrades, CSSHTMLHeaderPreprocessor]})
    coursedir = api.coursedir
    autograded = Path(coursedir.format_path(coursedir.autograded_directory, ".", ".")).resolve()
    report = FeedbackReport()
    for assignment in assignments or course_assignments(course_dir):
        if not list(autograded.glob(f"{student or '*'}/{assignment}/*.ipynb")):
            continue
        result = api.generate_feedback(assignment, student_id=student, force=True)
        if not result["success"]:
            report.failed[assignment] = result.get("error") or result.get("log", "")
    feedback = Path(coursedir.format_path(coursedir.feedback_directory, ".", ".")).resolve()
    for assignment in assignments or course_assignments(course_dir):
        report.files.extend(sorted(feedback.glob(f"{student or '*'}/{assignment}/*.html")))
    return report
