"""Drive the course's JupyterLab from a test: start it with `make lab` / `make formgrader`, and work
a notebook in Chromium as a person would (menus, toolbar buttons, the keyboard).

JupyterLab runs with `--LabApp.expose_app_in_browser=True`, so a test can read what the page holds
(the kernel's state, the notebook's cells and outputs) from `window.jupyterapp` instead of guessing
it from pixels; everything a student would do still goes through the page's controls.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat

REPO_DIR = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_DIR / "artifacts" / "screenshots"

# Chromium from the system (Playwright downloads no browser), isolated from any profile and network.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LabServer:
    """A JupyterLab started by a make target, listening on loopback with a token."""

    process: subprocess.Popen
    port: int
    token: str
    root: Path
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def stop(self) -> None:
        """Shut the kernels down, then the server (and the `make` that started it)."""
        if self.process.poll() is None:
            try:
                for kernel in self.api("kernels"):
                    self.api(f"kernels/{kernel['id']}", method="DELETE")
            except OSError:
                pass
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_lab(target: str, folder_variable: str, folder: Path, log: Path, timeout: float = 120) -> LabServer:
    """Run `make <target> <folder_variable>=<folder>` as a JupyterLab on a free loopback port."""
    for _attempt in range(3):  # a free port can be taken between the probe and the server's bind
        port, token = free_port(), secrets.token_hex(16)
        lab_args = (f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
                    f"--ServerApp.port_retries=0 --IdentityProvider.token={token} "
                    "--LabApp.expose_app_in_browser=True")
        with open(log, "w") as log_file:
            # -o: use the environment as it is (the session that runs the tests installed it).
            process = subprocess.Popen(
                ["make", "--no-print-directory", "-C", str(REPO_DIR), "-o", ".venv/.installed", target,
                 f"{folder_variable}={folder}", f"LAB_ARGS={lab_args}"],
                stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
            )
        server = LabServer(process, port, token, folder, log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            try:
                server.api("status")
                return server
            except OSError:
                time.sleep(0.5)
        server.stop()
        if "is already in use" not in log.read_text():
            break
    raise RuntimeError(f"`make {target}` did not start JupyterLab:\n{log.read_text()[-3000:]}")


# JavaScript that reads the page's JupyterLab (exposed as window.jupyterapp).
_CURRENT = "window.jupyterapp.shell.currentWidget"
_KERNEL_IDLE = f"""() => {{
    const panel = {_CURRENT};
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return !!kernel && kernel.status === 'idle';
}}"""
_RUNNING = f"""() => {_CURRENT}.content.widgets.filter(
    cell => cell.model.type === 'code' && cell.model.executionState === 'running').length"""


class NotebookPage:
    """One notebook open in JupyterLab in its own browser tab."""

    def __init__(self, context, server: LabServer, path: str):
        self.server = server
        self.path = path
        self.page = context.new_page()
        self.page.set_default_timeout(60_000)
        # `reset`: start from a clean workspace (no tabs restored from an earlier session).
        self.page.goto(f"{server.url}/lab/tree/{path}?reset&token={server.token}")
        self.page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
        self.wait_for_idle(timeout=120)

    def close(self) -> None:
        self.page.close()

    # --- what a person does --------------------------------------------------------------
    def menu(self, menu: str, command: str) -> None:
        """Open a menu of the menu bar and click the item that runs `command`."""
        self.page.locator(".lm-MenuBar-item", has_text=menu).click()
        self.page.locator(f".lm-Menu-item[data-command='{command}']").click()

    def select_cell(self, index: int) -> None:
        """Scroll to cell `index` and click its prompt (selects it in command mode)."""
        self.page.evaluate(f"index => {_CURRENT}.content.scrollToItem(index, 'start')", index)
        prompt = self.page.evaluate_handle(
            f"index => {_CURRENT}.content.widgets[index].node.querySelector('.jp-InputPrompt')", index)
        prompt.as_element().click()
        self.page.wait_for_function(f"index => {_CURRENT}.content.activeCellIndex === index", arg=index)

    def run_all(self, timeout: float = 600) -> None:
        """Run every cell as a student does: Run > Run All Cells, and where a cell fails (the kernel
        then skips the rest), select the next cell and Run > Run Selected Cell and All Below."""
        self.menu("Run", "runmenu:run-all")
        deadline = time.monotonic() + timeout
        last = None
        while True:
            self.wait_for_run(deadline)
            todo = self.unexecuted_code_cells()
            if not todo:
                return
            if todo[0] == last:
                raise AssertionError(f"{self.path}: cell {last} does not run")
            last = todo[0]
            self.select_cell(last)
            self.menu("Run", "notebook:run-all-below")

    def save(self) -> None:
        self.page.keyboard.press("Control+s")
        self.page.wait_for_function(f"() => !{_CURRENT}.context.model.dirty")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    # --- what the page holds -------------------------------------------------------------
    def wait_for_idle(self, timeout: float = 60) -> None:
        self.page.wait_for_function(_KERNEL_IDLE, timeout=timeout * 1000, polling=250)

    def wait_for_run(self, deadline: float) -> None:
        """Wait until no cell is queued or running and the kernel has been idle for a moment."""
        quiet_since = None
        while True:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.path}: still running at the time limit")
            quiet = self.page.evaluate(_KERNEL_IDLE) and self.page.evaluate(_RUNNING) == 0
            if not quiet:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > 1.5:
                return
            time.sleep(0.25)

    def notebook(self) -> nbformat.NotebookNode:
        """The notebook as the page holds it now (cells, outputs, nbgrader metadata)."""
        return nbformat.from_dict(self.page.evaluate(f"() => {_CURRENT}.context.model.toJSON()"))

    def unexecuted_code_cells(self) -> list[int]:
        return [i for i, cell in enumerate(self.notebook().cells)
                if cell.cell_type == "code" and cell.source.strip() and cell.get("execution_count") is None]

    def errors(self) -> list[dict]:
        """Every error output: the cell, its nbgrader role, and the exception."""
        found = []
        for index, cell in enumerate(self.notebook().cells):
            grading = cell.metadata.get("nbgrader", {})
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    found.append({"cell": index, "ename": output.ename, "evalue": output.evalue,
                                  "grade": bool(grading.get("grade")), "solution": bool(grading.get("solution")),
                                  "source": cell.source.strip().splitlines()[0][:60]})
        return found
