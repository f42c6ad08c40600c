"""The notebooks run clean top to bottom, and are committed without outputs.

Each notebook is executed in a fresh ``python3`` kernel of the current environment (jupyter_client
starts the kernel with this interpreter), with ``notebooks/`` as working directory, as a reader
opening it in Jupyter would. No timing assertions here (see DEVELOPING.md).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 120  # seconds per cell

# Charts each notebook draws, at least.
MIN_CHARTS = {"01_idlib_2019_ceasefire.ipynb": 9, "02_your_own_data.ipynb": 5}
# Text that must appear in a notebook's outputs (a few checks that the analysis said something).
EXPECTED = {
    "01_idlib_2019_ceasefire.ipynb": [
        "1035 rows read, 1035 accepted, 0 rejected, 0 merged as duplicates",
        "All 1,035 rows accounted for",
        "943 incidents in the north-west theatre",
        "Window: 26 Apr 2019 to 15 Dec 2019",
        "The records give 203 (best), 188 to 279 (low to high): undetermined",
        "Finding: supported by the best count. The best count, 203, supports",
        "Confidence: ",
        "Caveats:",
    ],
    "02_your_own_data.ipynb": [
        "686 rows read, 683 accepted, 2 rejected, 1 merged as duplicates",
        "civilian_proxy: civilian_targeting",
        "491 rows read, 490 accepted, 0 rejected, 1 merged as duplicates",
        "Set MY_FILE to the path of your export",
        # The other shapes of data (section 7) and publishing (section 8).
        "148 reports read, 148 accepted",
        "People killed: After the intervention",
        "daily_counts_example.csv (counts): 234 rows read, 234 accepted, 0 rejected",
        "Without dayfirst: 123 of 123 rows accepted; dates read day-first",
        "their order is not given, so it is not read (never guessed)",
        "spreadsheet_example.xlsx (incidents): 123 rows read, 123 accepted, 0 rejected",
        "rate ratio after/before 0.46 ",
        "report: mine/report.md",
        "report_html: mine/report.html",
        "results: mine/results.json",
    ],
}


def _text_of(nb: nbformat.NotebookNode) -> str:
    """All text outputs of an executed notebook (stream text and text/plain or text/html data)."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            elif "data" in out:
                for kind in ("text/plain", "text/html"):
                    if kind in out["data"]:
                        parts.append(str(out["data"][kind]))
    return "\n".join(parts)


def test_notebooks_present():
    names = {p.name for p in NOTEBOOKS}
    assert set(EXPECTED) <= names, f"missing notebooks: {set(EXPECTED) - names}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and (cell.get("execution_count") is not None or cell.get("outputs"))
    ]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs or execution counts; strip them"
    assert nb.cells and nb.cells[0].cell_type == "markdown", "a notebook opens with what it answers"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    try:
        client.execute()
    except CellExecutionError as exc:  # the message holds the cell source and the traceback
        pytest.fail(f"{path.name} failed:\n{exc}", pytrace=False)
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.get("output_type") == "error"
    ]
    assert not errors, f"{path.name}: error outputs {errors}"
    # Outputs are wrapped paragraphs whose line breaks depend on the path of the checkout:
    # compare with white space folded.
    text = " ".join(_text_of(nb).split())
    for expected in EXPECTED.get(path.name, []):
        assert " ".join(expected.split()) in text, f"{path.name}: {expected!r} not in the outputs"
    images = sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if "image/png" in out.get("data", {})
    )
    expected_charts = MIN_CHARTS.get(path.name, 1)
    assert images >= expected_charts, (
        f"{path.name}: {images} charts drawn, {expected_charts} expected"
    )
