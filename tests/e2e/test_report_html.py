"""`ledger report html`: the page opened in a real headless browser (Chromium, Debian's
package), which must render its charts and headline figures. Without a browser this skips
locally; under CI (CI=true) it must run, and CI installs chromium."""

import os
import shutil
import subprocess

import pytest

from tests.e2e.test_report_charts import cjk_font, pixels  # noqa: F401 - a fixture
from tests.e2e.test_reports import books  # noqa: F401 - the small hand-worked ledger, a fixture
from tests.ids import STUDENT, WORKER


@pytest.fixture
def browser():
    found = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if found is None:
        if os.environ.get("CI") == "true":
            raise AssertionError("CI needs a browser for the HTML report test: apt-get install chromium")
        pytest.skip("no headless browser here (CI installs chromium)")
    return found


def headless(browser, *args) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,2600"]
    return subprocess.run([browser, *flags, *args], capture_output=True, text=True, timeout=120)


def test_the_page_renders_its_charts_and_headline_figures(run, books, cjk_font, browser, tmp_path):  # noqa: F811
    page = tmp_path / "report-2025.html"
    r = run("report", "html", page, "--year", "2025")
    assert r.exit_code == 0, r.output
    text = page.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text  # nothing fetched from anywhere
    assert WORKER not in text and STUDENT not in text  # no person named
    dom = headless(browser, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-500:]
    # test_reports.py's figures: 3 claims, 2 people, 2100.00 fees, 845.00 fund, 810.00 own
    # accounts, 190.00 mutual aid
    for key, value in (("claims", "3"), ("people", "2"), ("medfee_sumamt", "2100.00"), ("fund_pay_sumamt", "845.00"),
                       ("acct_pay", "810.00"), ("acct_mulaid_pay", "190.00")):  # fmt: skip
        assert (
            f'data-figure="{key}"' in dom.stdout
            and f"<b>{value}</b>" in dom.stdout.split(f'data-figure="{key}"')[1][:200]
        )
    assert dom.stdout.count('data-chart="') == 2  # funds and mutual aid
    shot = tmp_path / "shot.png"
    s = headless(browser, f"--screenshot={shot}", page.as_uri())
    assert s.returncode == 0 and shot.exists(), s.stderr[-500:]
    img = (pixels(shot)[:, :, :3] * 255).round().astype(int)
    # the charts were decoded and painted: the funds bars' blue (#1f6f8b) and the mutual-aid
    # bar's orange (#d9622b) cover thousands of pixels of the screenshot
    for rgb in ((0x1F, 0x6F, 0x8B), (0xD9, 0x62, 0x2B)):
        assert (abs(img - rgb).sum(axis=2) < 12).sum() > 2000, rgb
