"""report.html in a real browser (issue 10 item 4): headless Chromium at 1,280 and 390 px.

The page must show the bottom line first, every chart must load (``naturalWidth > 0``: they are
embedded, nothing is fetched) and nothing may overflow horizontally. Skipped, with the reason,
when Chromium is not installed (``apt-get install chromium``).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
     if p and Path(p).exists()),
    None,
)  # fmt: skip
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)"
)

PROBE = """<script>
window.addEventListener('load', () => {
  const de = document.documentElement;
  const images = [...document.images].map(i => i.complete && i.naturalWidth > 0);
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > de.clientWidth + 1 && !e.closest('.table'))
    .map(e => e.tagName + (e.className ? '.' + e.className : '')).slice(0, 10);
  const h2 = [...document.querySelectorAll('h2')].map(h => h.textContent);
  const bl = document.querySelector('section.bottom-line');
  parent.postMessage(JSON.stringify({
    width: window.innerWidth, scrollWidth: de.scrollWidth, clientWidth: de.clientWidth,
    images, wide, h2, bottom: bl ? bl.innerText : ''}), '*');
});
</script>"""

#: Chromium's windows are at least 500 px wide: the page is shown in a frame of the width tested
#: (its own viewport), and the frame's probe posts its findings to the host page.
HOST = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="{src}" style="width:{width}px;height:2000px;border:0;display:block"></iframe>
<script>window.addEventListener('message', e => document.body.setAttribute('data-probe', e.data));
</script></body></html>"""


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", f"--user-data-dir={profile}", "--hide-scrollbars"]  # fmt: skip
    return subprocess.run(
        [CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def page(founding_report):
    """The founding-case report.html, with every chart (`trends report`, run once: conftest.py)."""
    assert founding_report.exit_code == 0, founding_report.output + founding_report.traceback
    return founding_report.out / "report.html"


def _probe(page: Path, width: int, tmp: Path) -> dict:
    text = page.read_text(encoding="utf-8")
    text = re.sub(
        r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text
    )  # let the probe run
    probe = tmp / f"probe_{width}.html"
    probe.write_text(text.replace("</body>", PROBE + "\n</body>"), encoding="utf-8")
    host = tmp / f"host_{width}.html"
    host.write_text(HOST.format(src=probe.name, width=width), encoding="utf-8")
    done = _chromium(f"--window-size={max(width, 500)},2000", "--virtual-time-budget=15000",
                     "--dump-dom", host.as_uri(), profile=tmp / f"profile_{width}")  # fmt: skip
    found = re.search(r'data-probe="([^"]*)"', done.stdout)
    assert found, f"chromium gave no result (exit {done.returncode}): {done.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.parametrize("width", [1280, 390])
def test_report_html_in_chromium(page, width, tmp_path):
    result = _probe(page, width, tmp_path)
    assert result["width"] == width
    assert result["h2"][0] == "Bottom line", result["h2"]
    assert "Attacks." in result["bottom"] and "Confidence:" in result["bottom"]
    assert len(result["images"]) == 10 and all(result["images"]), result["images"]
    assert result["scrollWidth"] <= result["clientWidth"], result
    assert result["wide"] == [], result["wide"]
    shot = tmp_path / f"report_{width}.png"
    host = tmp_path / f"screenshot_host_{width}.html"
    host.write_text(HOST.format(src=page.as_uri(), width=width), encoding="utf-8")
    done = _chromium(f"--window-size={max(width, 500)},2000", f"--screenshot={shot}",
                     host.as_uri(), profile=tmp_path / "profile_shot")  # fmt: skip
    assert shot.exists() and shot.stat().st_size > 10_000, done.stderr[-2000:]


def test_report_html_needs_no_network(page):
    text = page.read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="(?!data:)', text)
    assert "default-src 'none'" in text  # and the page says so to the browser
