"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TRENDS_SHARED_DIR", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO


@pytest.fixture(scope="session")
def validation_dir() -> Path:
    """The R reference outputs in ../shared/validation (skips when absent)."""
    path = SHARED / "validation"
    if not path.is_dir():
        pytest.skip(
            f"R reference outputs not found at {path}: CI has ../shared beside the checkout; "
            "set TRENDS_SHARED_DIR to run these golden tests elsewhere"
        )
    return path


@pytest.fixture(scope="session")
def shared_idlib_dir() -> Path:
    """The upstream curated Idlib 2019 tables in ../shared/data/idlib-2019 (skips when absent)."""
    path = SHARED / "data" / "idlib-2019"
    if not path.is_dir():
        pytest.skip(f"upstream Idlib tables not found at {path}")
    return path


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return REPO / "tests" / "data"
