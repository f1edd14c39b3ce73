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
    ("hifp_pay", N_("pooled fund"), "#1f6f8b"),
    ("hifmi_pay", N_("major illness insurance"), "#3a9ab2"),
    ("hifob_pay", N_("large expense subsidy"), "#7cc3d6"),
    ("other_funds_pay", N_("other funds"), "#9b8ec4"),
    ("acct_pay", N_("personal account"), "#e3a21a"),
    ("acct_mulaid_pay", N_("family mutual aid"), "#d9622b"),
    ("psn_cash_pay", N_("cash"), "#8c8c8c"),
)


# The charts' words, in English here and said in the run's language (the Chinese catalog
# has them as the bureau's reports write them).
WORDS = (
    *(name for _field, name, _colour in PAYERS),
    N_("total"),
    N_("fund paid (yuan)"),
    N_("fund paid (yuan), by {groups}"),
    N_("who paid the fees (yuan)"),
    N_("medical care"),
    N_("contribution"),
    N_("mutual aid paid (yuan): medical care and contributions"),
    N_("at the cap"),
    N_("annual caps used (people, by share used)"),
    N_("people"),
    N_("closing balance of each book (yuan, received positive)"),
    N_("personal account balances (yuan)"),
    N_("incentives and year-end items (yuan)"),
)


def _chinese() -> str:
    """Every Chinese character the charts write in the run's language (read from their
    words, so a new label cannot be forgotten): the font must have them all."""
    return "".join(sorted({ch for w in WORDS for ch in _(w) if "\u3000" <= ch <= "\uffef"}))


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

    chinese = _chinese()
    try:
        font = cjk_font_path()
    except LedgerError:
        if chinese:
            raise
        # In English the charts' words need no Chinese font: Matplotlib's own draws them.
        font = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    if not has_glyphs(font, chinese):  # refused before anything is drawn
        raise LedgerError(
            _("the font {font} lacks characters of {chinese!r}...; {font_help}").format(
                font=font, chinese=chinese[:12], font_help=_(FONT_HELP)
            )
        )
    font_manager.fontManager.addfont(font)
    name = font_manager.FontProperties(fname=font).get_name()
    plt.rcParams.update({"font.family": name, "axes.unicode_minus": False})
    fig, texts = {"funds": _funds, "mutual-aid": _mutual_aid, "caps": _caps, "balance": _balance,
                  "accounts": _accounts, "incentives": _incentives, "places": _places}[kind](plt, report)  # fmt: skip
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
    return [" ".join(_said(c, r.get(c)) for c in columns).strip() or _("total") for r in report.rows]


def _said(column: str, value) -> str:
    """A cell of a label: a person's status in the run's language, anything else as it is."""
    return _(value) if column == "status" and value else str(value or "")


def _funds(plt, report):
    groups = [c for c in report.columns if c in GROUPS]
    labels = _labels(report, groups) if groups else [_("total")]
    rows = report.rows if report.rows else []
    fig, (bars, shares) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [3, 2]})
    title_bars = (
        _("fund paid (yuan), by {groups}").format(groups=_(", ").join(_(g) for g in groups))
        if groups
        else _("fund paid (yuan)")
    )
    title_shares = _("who paid the fees (yuan)")
    bars.bar(labels, [_fen(r["fund_pay_sumamt"]) for r in rows], color="#1f6f8b")
    bars.set_title(title_bars)
    _yuan_axis(bars.yaxis)
    bars.tick_params(axis="x", labelrotation=45 if len(labels) > 6 else 0)
    total = report.total or (rows[0] if rows else {})
    left = 0
    for field, name, colour in PAYERS:
        width = _fen(total.get(field))
        shares.barh([_("total")], [width], left=left, color=colour, label=_(name))
        left += width
    shares.set_title(title_shares)
    _yuan_axis(shares.xaxis)
    shares.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, frameon=False)
    return fig, [title_bars, title_shares, *labels, *(_(n) for _field, n, _colour in PAYERS)]


GROUPS = ("month", "med_type", "level", "institution", "region", "insutype", "status")  # report funds --by


def _mutual_aid(plt, report):
    fig, ax = plt.subplots(figsize=(8, 4))
    rows = [r for r in report.rows if r.get("kind") in ("claims", "contributions")]
    labels = [f"{_('medical care') if r['kind'] == 'claims' else _('contribution')} {r['period']}" for r in rows]
    ax.bar(
        labels,
        [_fen(r["amount"]) for r in rows],
        color=["#d9622b" if r["kind"] == "claims" else "#e3a21a" for r in rows],
    )
    title = _("mutual aid paid (yuan): medical care and contributions")
    ax.set_title(title)
    _yuan_axis(ax.yaxis)
    return fig, [title, *labels]


def _caps(plt, report):
    from ..services.reports import DECILES

    fig, ax = plt.subplots(figsize=(9, 4))
    buckets = [DECILES[k] for k in range(10)] + ["at cap"]
    shown = [*DECILES, _("at the cap")]
    width = 0.8 / max(1, len(report.rows))
    for n, r in enumerate(report.rows):
        ax.bar([k + n * width for k in range(len(buckets))], [r.get(b, 0) for b in buckets], width=width,
               label=f"{r['year']} {r['bucket']}")  # fmt: skip
    ax.set_xticks([k + 0.4 - width / 2 for k in range(len(buckets))], shown, rotation=45)
    title, ylabel = _("annual caps used (people, by share used)"), _("people")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.yaxis.get_major_locator().set_params(integer=True)  # people are counted whole
    ax.legend(frameon=False)
    return fig, [title, ylabel, _("at the cap")]


def _balance(plt, report):
    fig, ax = plt.subplots(figsize=(9, 4))
    labels = [_(r["book"]) for r in report.rows]
    ax.barh(labels, [_fen(r["closing"]) for r in report.rows], color="#1f6f8b")
    title = _("closing balance of each book (yuan, received positive)")
    ax.set_title(title)
    _yuan_axis(ax.xaxis)
    return fig, [title]


def _accounts(plt, report):
    fig, ax = plt.subplots(figsize=(8, 4))
    labels = [f"{r['region']} {_(r['status'])}" for r in report.rows]
    ax.bar(labels, [_fen(r["balance"]) for r in report.rows], color="#e3a21a")
    title = _("personal account balances (yuan)")
    ax.set_title(title)
    _yuan_axis(ax.yaxis)
    return fig, [title, *labels]


def _incentives(plt, report):
    fig, ax = plt.subplots(figsize=(8, 4))
    labels = [r["item"] if r["status"] is None else f"{r['item']} {r['status']}" for r in report.rows]
    ax.barh(labels, [_fen(r["amount"]) for r in report.rows], color="#3a9ab2")
    title = _("incentives and year-end items (yuan)")
    ax.set_title(title)
    _yuan_axis(ax.xaxis)
    return fig, [title]


def _places(plt, report):
    fig, ax = plt.subplots(figsize=(8, 4))
    labels = [f"{r['area'] or '-'} {r['offsite']}" for r in report.rows]
    ax.bar(labels, [_fen(r["fund_pay_sumamt"]) for r in report.rows], color="#5b8c5a")
    title = _("what the funds paid, by area of treatment (yuan)")
    ax.set_title(title)
    _yuan_axis(ax.yaxis)
    return fig, [title, *labels]
