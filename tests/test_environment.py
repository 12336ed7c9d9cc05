"""The course environment is pinned, and pyproject.toml and environment.yml pin the same things."""

import re
import tomllib
from importlib import metadata

from course_instructor.course import REPO_DIR

PYPROJECT = tomllib.loads((REPO_DIR / "pyproject.toml").read_text())


def _name(requirement: str) -> str:
    return re.split(r"[=<>!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def pyproject_pins() -> dict[str, str]:
    project = PYPROJECT["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    pins = {}
    for requirement in requirements:
        name, _, version = requirement.partition("==")
        assert version, f"pyproject.toml: {requirement!r} is not pinned with =="
        pins[_name(name)] = version
    return pins


def environment_yml_pins() -> dict[str, str]:
    """Read the package lines of environment.yml (conda `name=version`, pip `name==version`)."""
    pins = {}
    for line in (REPO_DIR / "environment.yml").read_text().splitlines():
        match = re.match(r"^\s*-\s+([A-Za-z0-9_.\-]+)\s*==?\s*([0-9][^\s#]*)\s*$", line)
        if match and match.group(1) != "python":
            pins[_name(match.group(1))] = match.group(2)
    return pins


def test_environment_yml_and_pyproject_pin_the_same_packages_and_versions():
    assert environment_yml_pins() == pyproject_pins()


def test_environment_yml_uses_the_same_python():
    assert re.search(r"^\s*-\s+python=3\.11\s*$", (REPO_DIR / "environment.yml").read_text(), re.M)
    assert PYPROJECT["project"]["requires-python"].startswith(">=3.11")


def test_installed_versions_are_the_pinned_ones():
    wrong = {name: (version, metadata.version(name)) for name, version in pyproject_pins().items()
             if metadata.version(name).split("+")[0] != version}
    assert not wrong, f"installed versions differ from the pins (pinned, installed): {wrong}"
