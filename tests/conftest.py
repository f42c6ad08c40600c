"""Shared test fixtures.

The founding case (the Idlib 2019 analysis with the defaults of ``trends report``, and the
report folder that ``trends report`` writes) is computed once per test run and shared by the
pytest-xdist workers (:func:`run_once`): each module unpickles its own copy of the analysis, so
a module that changes its copy does not change another's, and the shared report folder is only
read (:func:`founding_report` checks it against its manifest each time a module asks for it).
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import traceback
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import matplotlib
import pytest
from filelock import FileLock
from hypothesis import settings

matplotlib.use("Agg")

# Property-based tests draw their examples from a fixed seed: the suite gives the same result on
# every run and machine (a failure found by a random run is added as an explicit example).
settings.register_profile("reproducible", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reproducible"))

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


# ------------------------------------------------------------------ computed once per test run
def _run_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this test run that every xdist worker sees (the documented xdist pattern).

    Under xdist each worker's basetemp is ``<run basetemp>/<worker id>``, so its parent is the
    run's own folder; without xdist the run's basetemp is used (never its parent, which holds
    earlier runs).
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    root = root / "run_once"
    root.mkdir(exist_ok=True)
    return root


def _run_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, compute: Callable[[Path], Any]
) -> bytes:
    """``pickle.dumps(compute(folder))``, computed by the first worker that asks, once per run.

    ``folder`` is an empty folder of its own that ``compute`` may write into (and other workers
    then read). The other workers wait on a file lock and read the pickle; a failed computation
    leaves nothing behind, so the next worker that asks computes it again (and fails the same
    way, with its own traceback).
    """
    root = _run_root(tmp_path_factory)
    path = root / f"{name}.pickle"
    with FileLock(f"{path}.lock"):
        if not path.is_file():
            folder = root / name
            if folder.exists():  # left by a computation that failed
                shutil.rmtree(folder)
            folder.mkdir()
            data = pickle.dumps(compute(folder))
            partial = path.with_name(path.name + ".partial")
            partial.write_bytes(data)
            partial.replace(path)
        return path.read_bytes()


@pytest.fixture(scope="session")
def run_once(tmp_path_factory) -> Callable[[str, Callable[[Path], Any]], Any]:
    """``run_once(name, compute)``: ``compute(folder)`` once per test run, shared by the workers.

    Returns a fresh unpickled copy at each call (call it from a module-scoped fixture: each module
    gets its own copy, as when the module computed it itself).
    """

    def call(name: str, compute: Callable[[Path], Any]) -> Any:
        return pickle.loads(_run_once(tmp_path_factory, name, compute))

    return call


def _founding_analysis(folder: Path) -> Any:
    from trends.config import ReportConfig
    from trends.report import load_inputs, run_analysis

    config = ReportConfig().with_defaults()
    return run_analysis(config, load_inputs(config))


@pytest.fixture(scope="module")
def founding_analysis(run_once):
    """The founding-case analysis: ``run_analysis`` with the defaults of ``trends report``.

    The same object as ``analyse_ceasefire(case.incidents, "ceasefire_aug31_effective",
    start="2019-04-30", end="2019-12-15", timeline=case.timeline, claims=case.claims,
    claim_scopes=IDLIB_CLAIM_SCOPES, ingest=case.report)`` of ``case = load_idlib_2019()`` (its
    results.json is the same). Computed once per run; each module gets its own unpickled copy.
    """
    return run_once("founding_analysis", _founding_analysis)


def _founding_report(folder: Path) -> SimpleNamespace:
    from typer.testing import CliRunner

    from trends.cli import app

    out = folder / "out"
    result = CliRunner().invoke(app, ["report", "--out", str(out)])
    exc = result.exception
    return SimpleNamespace(
        exit_code=result.exit_code,
        output=result.output,
        stdout=result.stdout,
        exception=None if exc is None else f"{type(exc).__name__}: {exc}",
        traceback=(
            "" if result.exc_info is None else "".join(traceback.format_exception(*result.exc_info))
        ),
        out=out,
    )


def _unchanged(out: Path) -> None:
    """The report folder holds exactly the files of its manifest, with their checksums."""
    from trends.report import MANIFEST
    from trends.report.writer import sha256_of

    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    listed = {f["name"]: f["sha256"] for f in manifest["files"]}
    present = {p.name for p in out.iterdir()} - {MANIFEST}
    assert present == set(listed), f"the shared report folder {out} was changed by a test"
    for name, digest in listed.items():
        assert sha256_of(out / name) == digest, f"{name} of the shared report folder was changed"


@pytest.fixture(scope="module")
def founding_report(run_once) -> SimpleNamespace:
    """``trends report --out DIR`` with no other option (the whole founding case), run once.

    A namespace of the run's ``exit_code``, ``output``, ``stdout``, ``exception`` (its type and
    message, or None), ``traceback`` and ``out`` (the folder). The folder is shared by every
    module and worker: read it, never write into it (copy it first); each module checks that it
    still holds what the run wrote.
    """
    run = run_once("founding_report", _founding_report)
    if run.exit_code == 0:
        _unchanged(run.out)
    return run
