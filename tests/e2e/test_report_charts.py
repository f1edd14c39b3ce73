"""`ledger report ... --chart FILE.png`: a chart per report, its Chinese labels drawn by a
font that has them (never as empty boxes). A machine without such a font skips these
locally; under CI (CI=true) they must run, and CI installs fonts-wqy-microhei."""

import os
from pathlib import Path

import matplotlib
import pytest

from ledger.errors import LedgerError
from ledger.render import charts
from tests.e2e.test_reports import books  # noqa: F401 - the small hand-worked ledger, a fixture


@pytest.fixture
def cjk_font():
    try:
        return charts.cjk_font_path()
    except LedgerError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("no font with Chinese characters here (CI installs fonts-wqy-microhei)")


def pixels(path: Path):
    from matplotlib import image

    return image.imread(path)


@pytest.mark.parametrize(
    "args",
    [
        ("funds", "--by", "month"),
        ("mutual-aid",),
        ("caps",),
        ("balance",),
        ("places",),
    ],
)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_report_draws_its_chart(run, books, cjk_font, tmp_path, args, lang):  # noqa: F811
    png = tmp_path / f"{args[0]}.png"
    r = run("--lang", lang, "report", *args, "--from", "2025-01-01", "--to", "2025-12-31", "--chart", png)
    assert r.exit_code == 0, r.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = pixels(png)
    assert img.shape[0] > 200 and img.shape[1] > 400
    # not a blank canvas: bars and labels in more than a handful of colours
    colours = {tuple(px) for px in img.reshape(-1, img.shape[2])[::97]}
    assert len(colours) > 20


def test_the_labels_are_drawn_by_a_font_that_has_them(cjk_font):
    # The glyph check the chart itself applies, on the words it writes.
    assert charts.has_glyphs(cjk_font, "基金支付（元）费用由谁支付统筹基金个人账户家庭共济现金年度限额使用达到限额")


def test_a_font_without_chinese_is_refused_for_a_chinese_chart_not_drawn_as_boxes(run, books, tmp_path, monkeypatch):  # noqa: F811
    latin = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    monkeypatch.setenv("LEDGER_CJK_FONT", str(latin))
    png = tmp_path / "funds.png"
    r = run("--lang", "zh", "report", "funds", "--from", "2025-01-01", "--to", "2025-12-31", "--chart", png)
    assert r.exit_code == 1
    assert f"字体 {latin} 缺少" in r.output and "fonts-wqy-microhei" in r.output
    assert not png.exists()  # refused before anything was drawn
    # in English the chart's words are Latin letters, which that font has
    r = run("report", "funds", "--from", "2025-01-01", "--to", "2025-12-31", "--chart", png)
    assert r.exit_code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_font_installed_after_matplotlib_made_its_font_list_is_found(cjk_font, monkeypatch):
    # Matplotlib keeps the list of fonts it found on its first run (~/.cache/matplotlib); a
    # font installed later (CI's apt-get, a user's) is not in it. Seen: the charts refused
    # to draw with the font on disk. Here the list is made to lack every CJK family.
    from matplotlib import font_manager

    fm = font_manager.fontManager
    monkeypatch.setattr(fm, "ttflist", [f for f in fm.ttflist if f.name not in charts.CJK_FAMILIES])
    found = charts.cjk_font_path()
    assert Path(found).is_file()
    assert charts.has_glyphs(found, "基金支付")
    assert any(f.name in charts.CJK_FAMILIES for f in fm.ttflist)  # added back, so drawing finds it by name


def test_the_html_page_speaks_the_runs_language(run, books, cjk_font, tmp_path):  # noqa: F811
    for lang, title, heading in (
        ("zh", "门诊共济账本：2025 年报告", "<h2>试算平衡</h2>"),
        ("en", "outpatient mutual-aid ledger: report for 2025", "<h2>trial balance</h2>"),
    ):
        page = tmp_path / f"report-{lang}.html"
        assert run("--lang", lang, "report", "html", page, "--year", "2025").exit_code == 0
        text = page.read_text(encoding="utf-8")
        assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in text
        assert f"<h1>{title}</h1>" in text and heading in text
