"""DEVELOPING.md stays honest: every registry entry it names exists, and every entry is named."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "DEVELOPING.md"
_BLOCK = re.compile(r"<!-- registries:.*?-->(.*?)<!-- end registries -->", re.S)
_LINE = re.compile(r"^- `(?P<path>[\w.]+)\.(?P<name>[A-Z_]+)`: (?P<entries>.+)$")


def _registries() -> list[tuple[str, str, list[str]]]:
    block = _BLOCK.search(DOC.read_text(encoding="utf-8"))
    assert block, "DEVELOPING.md has no registries block"
    out = []
    for line in block.group(1).strip().splitlines():
        match = _LINE.match(line.strip())
        assert match, f"unreadable registry line in DEVELOPING.md: {line!r}"
        entries = re.findall(r"`([^`]+)`", match["entries"])
        out.append((match["path"], match["name"], entries))
    return out


@pytest.mark.parametrize("module, name, entries", _registries(), ids=lambda v: str(v))
def test_registry_entries_named_in_developing_exist(module, name, entries):
    importlib.import_module("trends.plots")  # the chart backend registers its charts
    registry = getattr(importlib.import_module(module), name)
    assert set(entries) == set(registry), (
        f"DEVELOPING.md lists {sorted(entries)} for {module}.{name}; the registry has "
        f"{sorted(registry)}"
    )
