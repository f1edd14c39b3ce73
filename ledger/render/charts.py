"""The chart a person wants of each report, drawn with matplotlib (Agg: no display) and
labelled in Chinese. A font with the Chinese characters is required, never assumed: without
one the labels would come out as empty boxes, so the chart is refused with what to install.

    draw(report, kind, path)   kind: funds, mutual-aid, caps, balance, accounts, incentives
"""

import os
from pathlib import Path

from ..errors import LedgerError
from ..i18n import N_, _
from ..rules.money import Yuan

# Fonts with the simplified Chinese characters, by family name, in the order tried.
CJK_FAMILIES = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC", "SimHei",
                "Microsoft YaHei", "PingFang SC")  # fmt: skip
FONT_HELP = N_(
    "charts need a font with Chinese characters: install one (Debian/Ubuntu: apt-get install fonts-wqy-microhei) "
    "or set LEDGER_CJK_FONT to a .ttf or .ttc file"
)
# Who paid a claim's fee, in the order the money goes (docs/claims.md), with its colour.
PAYERS = (
    ("hifp_pay", "统筹基金", "#1f6f8b"),
    ("hifmi_pay", "大病保险", "#3a9ab2"),
    ("hifob_pay", "大额补助", "#7cc3d6"),
    ("other_funds_pay", "其他基金", "#9b8ec4"),
    ("acct_pay", "个人账户", "#e3a21a"),
    ("acct_mulaid_pay", "家庭共济", "#d9622b"),
    ("psn_cash_pay", "现金", "#8c8c8c"),
)


# Every Chinese character the charts write (read from this module itself, so a new label
# cannot be forgotten): the font must have them all.
_CHINESE = "".join(sorted({ch for ch in Path(__file__).read_text(encoding="utf-8") if "\u3000" <= ch <= "\uffef"}))


def cjk_font_path() -> str:
    """The file of a font that has the Chinese characters: LEDGER_CJK_FONT, or one installed."""
    named = os.environ.get("LEDGER_CJK_FONT")
    if named:
        if not Path(named).is_file():
            raise LedgerError(_("LEDGER_CJK_FONT: no font file {named}").format(named=named))
        return named
    from matplotlib import font_manager

    by_name = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in by_name:
            return by_name[family]
    # Matplotlib lists the fonts it found the first time it ran, and keeps that list: a font
    # installed since then is not in it. Look through the system's font files once more.
    for path in font_manager.findSystemFonts():
        try:
            family = font_manager.get_font(path).family_name
        except (OSError, RuntimeError):  # a file FreeType cannot read
            continue
        if family in CJK_FAMILIES:
            font_manager.fontManager.addfont(path)  # so the charts find it by its name too
            return path
    raise LedgerError(_(FONT_HELP))


def has_glyphs(font_path: str, text: str) -> bool:
    """Whether the font draws every character of `text` (no empty boxes)."""
    from matplotlib.ft2font import FT2Font

    font = FT2Font(font_path)
    return all(font.get_char_index(ord(ch)) for ch in set(text) if not ch.isspace())


def draw(report, kind: str, path: str) -> list[str]:
    """Draw the report's chart into `path` (PNG); the texts written on it."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    font = cjk_font_path()
    if not has_glyphs(font, _CHINESE):  # refused before anything is drawn
        raise LedgerError(
            _("the font {font} lacks characters of {chinese!r}...; {font_help}").format(
                font=font, chinese=_CHINESE[:12], font_help=_(FONT_HELP)
            )
        )
    font_manager.fontManager.addfont(font)
    name = font_manager.FontProperties(fname=font).get_name()
    plt.rcParams.update({"font.family": name, "axes.unicode_minus": False})
    fig, texts = {"funds": _funds, "mutual-aid": _mutual_aid, "caps": _caps, "balance": _balance,
                  "accounts": _accounts, "incentives": _incentives}[kind](plt, report)  # fmt: skip
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    missing = [t for t in texts if not has_glyphs(font, t)]
    if missing:
        raise LedgerError(
            _("the font {font} lacks characters of {missing!r}; {font_help}").format(
                font=font, missing=missing[0], font_help=_(FONT_HELP)
            )
        )
    return texts


def _fen(v) -> int:
    """A Yuan as a bar's length, in fen: the charts draw integers; the axis shows yuan."""
    return v.fen if isinstance(v, Yuan) else 0


def _yuan_axis(axis) -> None:
    """Ticks on a fen axis written in whole yuan (the ticks fall on round amounts)."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda tick, _: f"{round(tick) // 100:,}"))


def _labels(report, columns) -> list[str]:
    return [" ".join(str(r.get(c) or "") for c in columns) or "合计" for r in report.rows]


def _funds(plt, report):
    groups = [c for c in report.columns if c in _GROUP_NAMES]
    labels = _labels(report, groups) if groups else ["合计"]
    rows = report.rows if report.rows else []
    fig, (bars, shares) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [3, 2]})
    title_bars, title_shares = (
        "基金支付（元）" + ("，按" + "、".join(_GROUP_NAMES.get(g, g) for g in groups) if groups else ""),
        "费用由谁支付（元）",
    )
    bars.bar(labels, [_fen(r["fund_pay_sumamt"]) for r in rows], color="#1f6f8b")
    bars.set_title(title_bars)
    _yuan_axis(bars.yaxis)
    bars.tick_params(axis="x", labelrotation=45 if len(labels) > 6 else 0)
    total = report.total or (rows[0] if rows else {})
    left = 0
    for field, name, colour in PAYERS:
        width = _fen(total.get(field))
        shares.barh(["合计"], [width], left=left, color=colour, label=name)
        left += width
    shares.set_title(title_shares)
    _yuan_axis(shares.xaxis)
    shares.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, frameon=False)
    return fig, [title_bars, title_shares, *labels, *(n for _field, n, _colour in PAYERS)]


_GROUP_NAMES = {"month": "月份", "med_type": "医疗类别", "level": "医院级别", "institution": "定点机构",
                "region": "区划", "insutype": "险种", "status": "人员状态"}  # fmt: skip


def _mutual_aid(plt, report):
    fig, ax = plt.subplots(figsize=(8, 4))
    rows = [r for r in report.rows if r.get("kind") in ("claims", "contributions")]
    labels = [f"{'就医' if r['kind'] == 'claims' else '缴费'} {r['period']}" for r in rows]
    ax.bar(
        labels,
        [_fen(r["amount"]) for r in rows],
        color=["#d9622b" if r["kind"] == "claims" else "#e3a21a" for r in rows],
    )
    title = "家庭共济支付（元）：就医与代缴参保费"
    ax.set_title(title)
    _yuan_axis(ax.yaxis)
    return fig, [title, *labels]


def _caps(plt, report):
    from ..services.reports import DECILES

    fig, ax = plt.subplots(figsize=(9, 4))
    buckets = [DECILES[k] for k in range(10)] + ["at cap"]
    shown = [*DECILES, "达到限额"]
    width = 0.8 / max(1, len(report.rows))
    for n, r in enumerate(report.rows):
        ax.bar([k + n * width for k in range(len(buckets))], [r.get(b, 0) for b in buckets], width=width,
               label=f"{r['year']} {r['bucket']}")  # fmt: skip
    ax.set_xticks([k + 0.4 - width / 2 for k in range(len(buckets))], shown, rotation=45)
    title, ylabel = "年度限额使用（人数，按使用比例）", "人数"
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.yaxis.get_major_locator().set_params(integer=True)  # people are counted whole
    ax.legend(frameon=False)
    return fig, [title, ylabel, "达到限额"]


def _balance(plt, report):
    fig, ax = plt.subplots(figsize=(9, 4))
    labels = [r["book"] for r in report.rows]
    ax.barh(labels, [_fen(r["closing"]) for r in report.rows], color="#1f6f8b")
    title = "账簿期末余额（元，收入为正）"
    ax.set_title(title)
    _yuan_axis(ax.xaxis)
    return fig, [title]


def _accounts(plt, report):
    fig, ax = plt.subplots(figsize=(8, 4))
    labels = [f"{r['region']} {_STATUS.get(r['status'], r['status'])}" for r in report.rows]
    ax.bar(labels, [_fen(r["balance"]) for r in report.rows], color="#e3a21a")
    title = "个人账户余额（元）"
    ax.set_title(title)
    _yuan_axis(ax.yaxis)
    return fig, [title, *labels]


_STATUS = {"in service": "在职", "retired": "退休", "resident": "居民"}


def _incentives(plt, report):
    fig, ax = plt.subplots(figsize=(8, 4))
    labels = [r["item"] if r["status"] is None else f"{r['item']} {r['status']}" for r in report.rows]
    ax.barh(labels, [_fen(r["amount"]) for r in report.rows], color="#3a9ab2")
    title = "年度激励与年终扣缴（元）"
    ax.set_title(title)
    _yuan_axis(ax.xaxis)
    return fig, [title]
