"""The pinned oldest versions (``ci/min-dependencies.txt``) are pyproject.toml's floors.

``make test-mindeps`` runs the suite on that file; if a floor in the metadata moved
without it, the metadata would promise versions nothing tests.
"""

import re
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[1]


def _floors() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    floors = {}
    for requirement in meta["project"]["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*>=\s*([0-9][^,;\s]*)", requirement.strip())
        assert match, f"a runtime dependency without a plain lower bound: {requirement!r}"
        floors[match[1].lower()] = match[2]
    return floors


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "ci" / "min-dependencies.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")) + (0,) * (3 - version.count(".") - 1)


def test_every_runtime_floor_is_pinned_in_the_min_dependencies_file():
    floors, pins = _floors(), _pins()
    assert set(pins) == set(floors)
    for name, floor in floors.items():
        assert _release(pins[name]) == _release(floor), (
            f"{name}: pyproject.toml allows >={floor}, ci/min-dependencies.txt tests "
            f"{pins[name]}; make them the same version"
        )
