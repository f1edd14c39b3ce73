"""The one-page HTML report (`ledger report html`): the year's headline figures, the funds
by month, mutual aid and the trial balance, with their charts embedded as PNG data. One
self-contained file: no script, style sheet, font or image is fetched from anywhere. Every
text is escaped; the reports hold no ID numbers (they count people, they do not name them).
"""

import base64
import io
from html import escape

from .. import i18n
from ..i18n import N_, _
from ..rules.money import Yuan
from . import charts, labels

STYLE = """
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em auto;
       max-width: 1100px; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ccc; }
.headline { display: flex; flex-wrap: wrap; gap: 1em; margin: 1em 0; }
.figure { border: 1px solid #ddd; border-radius: 6px; padding: 0.6em 1em; min-width: 10em; }
.figure b { display: block; font-size: 1.5em; color: #1f6f8b; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; background: #f4f4f4; } img { max-width: 100%; }
.note { color: #666; font-size: 0.85em; }
"""

HEADLINE = (
    ("claims", N_("settlements")),
    ("people", N_("patients")),
    ("medfee_sumamt", N_("medical fees (yuan)")),
    ("fund_pay_sumamt", N_("fund paid (yuan)")),
    ("acct_pay", N_("personal accounts paid (yuan)")),
    ("acct_mulaid_pay", N_("family mutual aid paid (yuan)")),
)


def page(year: int, funds, mutual_aid, balance, region: str | None = None) -> str:
    """The page, from the year's reports (services.reports): funds by month, mutual aid and
    the trial balance."""
    total = funds.total or {}
    title = _("outpatient mutual-aid ledger: report for {year}").format(year=year)
    if region:
        title += _(", region {region}").format(region=region)
    lang = "zh-CN" if i18n.language() == "zh" else "en"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        '<p class="note">' + escape(funds.title + _("; reversed settlements are left out.")) + "</p>",
        '<div class="headline">',
        *(
            f'<div class="figure" data-figure="{key}">{escape(_(label))}<b>{escape(str(total.get(key, 0)))}</b></div>'
            for key, label in HEADLINE
        ),
        "</div>",
        _h2(_("fund paid, by month")),
        _chart(funds, "funds"),
        _table(funds),
        _h2(_("family mutual aid")),
        _chart(mutual_aid, "mutual-aid")
        if mutual_aid.rows
        else "<p>" + escape(_("no family mutual aid was paid in the period.")) + "</p>",
        _table(mutual_aid),
        _h2(_("trial balance")),
        '<p class="note">'
        + escape(
            _(
                "each book's opening, received, paid, movement and closing (yuan, received positive); every column "
                "totals to zero."
            )
        )
        + "</p>",
        _table(balance),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _h2(text: str) -> str:
    return f"<h2>{escape(text)}</h2>"


def _chart(report, kind: str) -> str:
    buf = io.BytesIO()
    charts.draw(report, kind, buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img class="chart" data-chart="{kind}" alt="{escape(report.title)}" src="data:image/png;base64,{data}">'


def _table(report) -> str:
    head = "".join(f"<th>{escape(_(c) if c in labels.HEADINGS else c)}</th>" for c in report.columns)
    rows = [_row(r, report.columns) for r in report.rows]
    if report.total is not None and report.grouped:
        rows.append(_row(report.total, report.columns, total=True))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _row(values: dict, columns, total: bool = False) -> str:
    cells = []
    for i, c in enumerate(columns):
        v = values.get(c, _("total") if total and i == 0 else "")
        v = _(v) if c in labels.SAID_COLUMNS and isinstance(v, str) and v else v
        numeric = isinstance(v, (Yuan, int))
        cells.append(f"<td{' class=n' if numeric else ''}>{escape('' if v is None else str(v))}</td>")
    return f"<tr{' class=total' if total else ''}>{''.join(cells)}</tr>"
