"""Every dependency declared in pyproject.toml is pinned in requirements/*.txt within its range."""

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _pins(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-r")):
            continue
        name, _, version = line.partition("==")
        assert version, f"{path.name}: {line!r} is not pinned with =="
        pins[canonicalize_name(name)] = version
    return pins


def test_declared_dependencies_are_pinned_within_their_ranges() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _pins(ROOT / "requirements/base.txt") | _pins(ROOT / "requirements/dev.txt")
    declared = list(project["dependencies"]) + list(project["optional-dependencies"]["dev"])

    problems = []
    for text in declared:
        requirement = Requirement(text)
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None:
            problems.append(f"{requirement.name} is not pinned")
        elif not requirement.specifier.contains(pinned, prereleases=True):
            problems.append(f"{requirement.name}=={pinned} is outside {requirement.specifier}")

    assert problems == []


def test_deprecated_django_fsm_is_not_installed_beside_django_fsm_2() -> None:
    pins = _pins(ROOT / "requirements/base.txt") | _pins(ROOT / "requirements/dev.txt")

    assert "django-fsm" not in pins
    assert "django-fsm-2" in pins
