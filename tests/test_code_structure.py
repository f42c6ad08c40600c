"""Structure rules of the package, measured on its source (issue 8).

- no function or method in ``trends/`` is longer than 150 lines;
- no module imports another module's private (underscore) names;
- the import-linter layering contracts in ``pyproject.toml`` hold.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "trends"
MAX_FUNCTION_LINES = 150


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(
                    f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name} ({length})"
                )
    return found


def test_no_function_over_150_lines():
    long = [entry for path in _modules() for entry in _long_functions(path)]
    assert not long, "functions over 150 lines: " + "; ".join(long)


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str | None:
    if node.level == 0:
        return node.module
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if node.level > 1:
        base = base[: -(node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _private_imports(path: Path) -> list[str]:
    module = _module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        target = _resolve(module, node, path.name == "__init__.py")
        if not target or not target.startswith("trends"):
            continue
        same_family = target == module or target.startswith(module + ".")
        for alias in node.names:
            private = alias.name.startswith("_") and not alias.name.startswith("__")
            if private and not same_family:
                found.append(f"{module}:{node.lineno} imports {target}.{alias.name}")
    return found


def test_no_imports_of_private_names():
    found = [entry for path in _modules() for entry in _private_imports(path)]
    assert not found, "imports of another module's private names: " + "; ".join(found)


def test_import_layering_contracts():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("import-linter is not installed in this environment (pip install -e '.[test]')")
    done = subprocess.run(
        [exe, str(PACKAGE.parent / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=PACKAGE.parent,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
