"""`course collect`: put downloaded submissions into `submitted/<student>/<assignment>/`.

SOURCE is a folder or a zip, as an LMS hands them out. Archives (zips inside zips too) are
unpacked with nbgrader's zip-collect `ExtractorPlugin`; each file's path is then read by
`CourseCollector`, nbgrader's `FileNameCollectorPlugin` taught the usual LMS names:

=================  =================================================================
name               example (student id in bold)
=================  =================================================================
your pattern       ``--pattern REGEX`` or ``FileNameCollectorPlugin.named_regexp``
Blackboard         ``Week 1_**jdoe**_attempt_2026-01-30-15-00-00_01_convolution.ipynb``
Canvas             ``doejane_LATE_**48213**_5123456_01_convolution-1.ipynb``
Moodle             ``Jane Doe_**4127**_assignsubmission_file_/01_convolution.ipynb``
plain              ``**jdoe**_01_convolution.ipynb``
=================  =================================================================

A pattern is a regular expression matched against the file's path inside SOURCE with named
groups ``student_id`` and ``file_id`` (the notebook name), optionally ``timestamp``, as in
nbgrader's zip collect. The notebook decides the assignment (``--assignment`` sets it instead).

Nothing is overwritten silently: a submission already in `submitted/` is replaced only by a
newer one (both with timestamps) or with `force`; anything else is kept and reported, and so
is every file that could not be mapped to a student and an assignment.
"""

from __future__ import annotations

import filecmp
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from nbgrader.plugins import ExtractorPlugin, FileNameCollectorPlugin
from nbgrader.utils import parse_utc

from .course import assignments, find_course_dir, nbgrader_api

__all__ = ["LMS_PATTERNS", "CollectReport", "CourseCollector", "collect"]

_TIMESTAMP = r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}"
LMS_PATTERNS = {
    "Blackboard": rf"^(?:.*/)?[^/]*_(?P<student_id>[^_/]+)_attempt_(?P<timestamp>{_TIMESTAMP})_(?P<file_id>[^/]+)\.ipynb$",
    "Canvas": r"^(?:.*/)?[a-z]+_(?:late_)?(?P<student_id>\d+)_\d+_(?P<file_id>[^/]+?)(?:-\d+)?\.ipynb$",
    "Moodle": r"^(?:.*/)?[^/]+_(?P<student_id>\d+)_assignsubmission_file_/(?:.*/)?(?P<file_id>[^/]+)\.ipynb$",
}
"""Regular expressions for the file names LMS downloads use, tried in this order."""


class CourseCollector(FileNameCollectorPlugin):
    """nbgrader's file-name collector that also knows the LMS patterns and ``<student>_<notebook>``.

    `collect(path)` takes a path relative to the extracted download and returns nbgrader's
    dict (``student_id``, ``file_id``, maybe ``timestamp``) or None when nothing matches.
    """

    notebooks: set = set()

    def collect(self, submitted_file: str):
        if Path(submitted_file).suffix not in self.valid_ext:
            return None
        patterns = ([self.named_regexp] if self.named_regexp else []) + list(LMS_PATTERNS.values())
        for pattern in patterns:
            match = re.match(pattern, submitted_file, flags=re.IGNORECASE if pattern in LMS_PATTERNS.values() else 0)
            if match and {"student_id", "file_id"} <= set(match.groupdict()):
                return {key: value for key, value in match.groupdict().items() if value is not None}
        stem = Path(submitted_file).stem
        for notebook in sorted(self.notebooks, key=len, reverse=True):  # <student>_<notebook>.ipynb
            if stem.endswith("_" + notebook) and len(stem) > len(notebook) + 1:
                return {"student_id": stem[: -len(notebook) - 1], "file_id": notebook}
        return None


@dataclass
class CollectReport:
    """What `collect` did with each file: lists of (student, assignment, detail) and unmapped paths."""

    new: list = field(default_factory=list)
    replaced: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    unmapped: list = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return bool(self.kept or self.unmapped)


@dataclass
class _Incoming:
    student: str
    assignment: str
    notebook: str
    source: Path
    relative: str
    timestamp: datetime | None


def _timestamp(text: str | None) -> datetime | None:
    if not text:
        return None
    if re.fullmatch(_TIMESTAMP, text):
        date, hours = text[:10], text[11:].replace("-", ":")
        text = f"{date} {hours}"
    return parse_utc(text)


def collect(source: Path | str, course_dir: Path | str | None = None, *, assignment: str | None = None,
            pattern: str | None = None, force: bool = False) -> CollectReport:
    """Copy the submissions found in `source` (a folder or a zip) into the course's `submitted/`.

    Parameters
    ----------
    source : path
        A folder of notebooks (and zips), or a zip.
    course_dir : path, optional
        The course directory (see `find_course_dir`).
    assignment : str, optional
        Put every file under this assignment; a file named after none of its notebooks goes to
        its only notebook (LMS downloads rename files).
    pattern : str, optional
        Your own regular expression for the file names (see the module docstring).
    force : bool
        Replace submissions already collected even when they are not older.
    """
    course_dir = find_course_dir(course_dir)
    api = nbgrader_api(course_dir)
    coursedir = api.coursedir
    known = assignments(course_dir)
    if assignment is not None and assignment not in known:
        raise ValueError(f"unknown assignment {assignment!r}; known: {', '.join(known)}")
    notebooks_of = {a: sorted(p.stem for p in (Path(course_dir) / "source" / a).glob("*.ipynb")) for a in known}
    assignment_of = {nb: a for a, names in notebooks_of.items() for nb in names}
    collector = CourseCollector(config=api.config)
    if pattern:
        collector.named_regexp = pattern
    collector.notebooks = set(notebooks_of[assignment] if assignment else assignment_of)
    report = CollectReport()
    incoming: dict[tuple[str, str], list[_Incoming]] = {}
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"no such file or folder: {source}")
    with tempfile.TemporaryDirectory(prefix="course-collect-") as scratch:
        archive, extracted = Path(scratch) / "archive", Path(scratch) / "extracted"
        archive.mkdir()
        extracted.mkdir()
        if source.is_dir():
            shutil.copytree(source, archive, dirs_exist_ok=True)
        else:
            shutil.copy(source, archive / source.name)
        ExtractorPlugin(config=api.config).extract(str(archive), str(extracted))
        for path in sorted(p for p in extracted.rglob("*") if p.is_file()):
            relative = path.relative_to(extracted).as_posix()
            if "__MACOSX" in relative or Path(relative).name.startswith("."):
                continue
            info = collector.collect(relative)
            if not info:
                report.unmapped.append(relative)
                continue
            notebook = Path(info["file_id"]).stem
            target = assignment or assignment_of.get(notebook)
            if target is None:
                report.unmapped.append(relative)
                continue
            if notebook not in notebooks_of[target]:
                if len(notebooks_of[target]) != 1:
                    report.unmapped.append(relative)
                    continue
                notebook = notebooks_of[target][0]
            item = _Incoming(info["student_id"], target, notebook, path, relative, _timestamp(info.get("timestamp")))
            incoming.setdefault((item.student, target), []).append(item)
        for (student, target), items in sorted(incoming.items()):
            chosen = _newest(items, report)
            if chosen:
                _transfer(coursedir, student, target, chosen, force, report)
    return report


def _newest(items: list[_Incoming], report: CollectReport) -> list[_Incoming]:
    """One file per notebook: the newest when a student's download holds several."""
    by_notebook: dict[str, list[_Incoming]] = {}
    for item in items:
        by_notebook.setdefault(item.notebook, []).append(item)
    chosen = []
    for notebook, versions in sorted(by_notebook.items()):
        if len(versions) == 1:
            chosen.append(versions[0])
        elif all(v.timestamp for v in versions):
            versions.sort(key=lambda v: v.timestamp)
            chosen.append(versions[-1])
            report.kept.extend((v.student, v.assignment, f"{v.relative}: an older attempt, not collected")
                               for v in versions[:-1])
        else:
            report.kept.extend((v.student, v.assignment, f"{v.relative}: one of {len(versions)} files for "
                                f"{notebook}.ipynb without timestamps to choose by; none collected") for v in versions)
    return chosen


def _transfer(coursedir, student: str, assignment: str, items: list[_Incoming], force: bool,
              report: CollectReport) -> None:
    """Copy one student's files into `submitted/`, never over a newer submission unless forced."""
    dest = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
    timestamp = max((i.timestamp for i in items if i.timestamp), default=None)
    if not timestamp or any(not i.timestamp for i in items):
        timestamp = None
    old_timestamp = coursedir.get_existing_timestamp(str(dest)) if dest.is_dir() else None
    existing = [dest / f"{i.notebook}.ipynb" for i in items]
    what = ", ".join(i.relative for i in items)
    if dest.is_dir() and any(p.exists() for p in existing):
        same = all(p.exists() and filecmp.cmp(p, i.source, shallow=False) for p, i in zip(existing, items))
        if same and (timestamp is None or timestamp == old_timestamp):
            report.unchanged.append((student, assignment, what))
            return
        newer = timestamp is not None and old_timestamp is not None and timestamp > old_timestamp
        if not (newer or force):
            why = ("the collected one is newer" if timestamp and old_timestamp
                   else "no timestamps to tell which is newer; use --force to replace it")
            report.kept.append((student, assignment, f"{what}: a different submission is already collected ({why})"))
            return
        report.replaced.append((student, assignment, what + (" (newer)" if newer else " (forced)")))
    else:
        report.new.append((student, assignment, what))
    dest.mkdir(parents=True, exist_ok=True)
    for path, item in zip(existing, items):
        shutil.copyfile(item.source, path)
    stamp = dest / "timestamp.txt"
    if timestamp is not None:
        stamp.write_text(timestamp.isoformat(" "))
    elif stamp.exists():
        stamp.unlink()
