"""Where the course lives and how to talk to nbgrader about it.

The course directory is nbgrader's standard layout (`source/`, `release/`, `submitted/`,
`autograded/`, `feedback/`, `nbgrader_config.py`). `nbgrader_api(course_dir)` returns nbgrader's
own Python API configured exactly as the `nbgrader` command would be from that directory.

    >>> sorted(assignments(COURSE_DIR))[:1]
    ['01_convolution']
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

__all__ = [
    "COURSE_DIR",
    "REPO_DIR",
    "STUDENT_NOTEBOOKS_DIR",
    "assignments",
    "find_course_dir",
    "load_config",
    "nbgrader_api",
    "open_gradebook",
]

COURSE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = COURSE_DIR.parent
STUDENT_NOTEBOOKS_DIR = REPO_DIR / "notebooks"


def _put_interpreter_tools_on_path() -> None:
    """nbgrader runs helper programs (e.g. `alembic` to set up the gradebook) by name: make sure the
    ones installed beside this interpreter are found even when its environment is not activated."""
    tools = str(Path(sys.executable).parent)
    if tools not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = tools + os.pathsep + os.environ.get("PATH", "")


_put_interpreter_tools_on_path()


def assignments(course_dir: Path = COURSE_DIR) -> list[str]:
    """The assignment ids: one folder per master notebook under `source/`, in course order."""
    source = Path(course_dir) / "source"
    return sorted(d.name for d in source.iterdir() if (d / f"{d.name}.ipynb").is_file())


def load_config(course_dir: Path = COURSE_DIR) -> Config:
    """The course's `nbgrader_config.py`, with the course root set to `course_dir`."""
    course_dir = Path(course_dir).resolve()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()
    config.CourseDirectory.root = str(course_dir)
    return config


def nbgrader_api(course_dir: Path = COURSE_DIR, **overrides) -> NbGraderAPI:
    """nbgrader's API for the course in `course_dir`.

    `overrides` are extra config sections, e.g. ``{"CourseDirectory": {"db_url": ...}}``.
    """
    config = load_config(course_dir)
    for section, values in overrides.items():
        for key, value in values.items():
            setattr(config[section], key, value)
    return NbGraderAPI(config=config)


def find_course_dir(path: Path | str | None = None) -> Path:
    """The course directory: `path` if given, else the current directory when it holds an
    `nbgrader_config.py` (nbgrader's convention), else the repository's `autograder/`."""
    if path is not None:
        path = Path(path).resolve()
        if not (path / "nbgrader_config.py").is_file():
            raise FileNotFoundError(f"{path} is not a course directory: it has no nbgrader_config.py")
        return path
    here = Path.cwd()
    return here if (here / "nbgrader_config.py").is_file() else COURSE_DIR


def open_gradebook(api: NbGraderAPI) -> Gradebook:
    """The course's gradebook (SQLite or any database nbgrader's `db_url` names); use it with `with`."""
    return Gradebook(api.coursedir.db_url, api.coursedir.course_id)
