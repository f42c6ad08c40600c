"""The top-level API resolves, and every public function and class has a numpy-style docstring."""

from __future__ import annotations

import importlib
import inspect

import pytest

import trends

MODULES = [
    "trends.analysis",
    "trends.analysis.ceasefire",
    "trends.analysis.result",
    "trends.datasets",
    "trends.events",
    "trends.series",
    "trends.series.measured",
    "trends.series.periods",
    "trends.series.aggregate",
    "trends.series.tools",
    "trends.sources",
    "trends.pipeline",
    "trends.pipeline.plan",
    "trends.pipeline.run",
    "trends.pipeline.executors",
    "trends.pipeline.progress",
    "trends.batch",
    "trends.schema",
    "trends.simulate",
    "trends.results",
    "trends.ingest.incidents",
    "trends.ingest.acled",
    "trends.ingest.ucdp",
    "trends.ingest.tallies",
    "trends.ingest.combine",
    "trends.ingest.formats",
    "trends.ingest.report",
    "trends.models.rates",
    "trends.models.its",
    "trends.models.glm",
    "trends.models.hac",
    "trends.models.negbin",
    "trends.models.changepoint",
    "trends.models.placebo",
    "trends.models.claims",
    "trends.plots.style",
    "trends.plots.timeline",
    "trends.plots.rates",
    "trends.plots.ratios",
    "trends.plots.totals",
    "trends.plots.placebo_space",
    "trends.plots.pretrend",
    "trends.plots.latent_ar",
    "trends.errors",
]


@pytest.mark.parametrize("name", sorted(trends._API))
def test_top_level_names_resolve(name):
    if trends._API[name] == "trends.batch":
        pytest.importorskip("trends.batch")
    assert getattr(trends, name) is not None


def _public_functions(module):
    names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
    for name in names:
        obj = getattr(module, name, None)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__:
            yield name, obj


@pytest.mark.parametrize("module_name", MODULES)
def test_public_functions_have_numpy_docstrings(module_name):
    module = importlib.import_module(module_name)
    missing, no_params = [], []
    for name, obj in _public_functions(module):
        doc = inspect.getdoc(obj) or ""
        if not doc.strip():
            missing.append(name)
            continue
        if inspect.isfunction(obj):
            params = [p for p in inspect.signature(obj).parameters if p not in ("self", "cls")]
            if params and "Parameters\n----------" not in doc and len(doc.splitlines()) > 1:
                no_params.append(name)
            elif params and "Parameters\n----------" not in doc and len(params) > 1:
                no_params.append(name)
    assert not missing, f"{module_name}: no docstring for {missing}"
    assert not no_params, f"{module_name}: no 'Parameters' section for {no_params}"


#: Heavy libraries that ``import trends`` (and ``import trends.report``) must not load.
HEAVY = ("matplotlib", "statsmodels", "scipy.stats", "jinja2", "pydantic")


def _loaded_after(statement: str) -> list[str]:
    import subprocess
    import sys

    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.split()


def test_import_trends_is_lazy():
    loaded = set(_loaded_after("import trends"))
    assert not [m for m in HEAVY if m in loaded], "import trends loads a heavy library"
    assert "pandas" not in loaded and "numpy" not in loaded
    # the public names still resolve and are listed
    assert set(trends.__all__) <= set(dir(trends))
    assert callable(trends.fit_its)


def test_report_package_loads_matplotlib_only_to_draw():
    loaded = set(_loaded_after("import trends.report"))
    assert "matplotlib" not in loaded, "importing the report package loads matplotlib"
