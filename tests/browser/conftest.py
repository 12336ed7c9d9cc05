"""Fixtures of the browser tests: Debian's Chromium through Playwright, and the course's JupyterLab
for students (`make lab`) and instructors (`make formgrader`), each on a copy of the notebooks so
that running them in the browser changes nothing in the working tree."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from browser_lab import CHROMIUM_FLAGS, REPO_DIR, VIEWPORT, start_lab

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """A Chromium browser context with a fresh profile."""
    executable = shutil.which(CHROMIUM)
    if executable is None:
        pytest.fail(f"Chromium is missing ({CHROMIUM}); `make browser-deps` installs it "
                    "(or set CHROMIUM to a Chromium or Chrome binary)", pytrace=False)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"), executable_path=executable,
            args=CHROMIUM_FLAGS, headless=True, viewport=VIEWPORT)
        yield context
        context.close()


@pytest.fixture(scope="session")
def student_lab(tmp_path_factory):
    """`make lab` on a copy of notebooks/."""
    folder = tmp_path_factory.mktemp("student")
    for notebook in (REPO_DIR / "notebooks").glob("*.ipynb"):
        shutil.copy(notebook, folder)
    server = start_lab("lab", "LAB_DIR", folder, tmp_path_factory.getbasetemp() / "student-lab.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def instructor_lab(tmp_path_factory):
    """`make formgrader` on a copy of the course (its nbgrader config and masters)."""
    folder = tmp_path_factory.mktemp("course")
    shutil.copy(REPO_DIR / "autograder" / "nbgrader_config.py", folder)
    shutil.copytree(REPO_DIR / "autograder" / "source", folder / "source")
    server = start_lab("formgrader", "COURSE_DIR", folder, tmp_path_factory.getbasetemp() / "formgrader.log")
    yield server
    server.stop()
