"""The one-page HTML report (`ledger report html`): the year's headline figures, the funds
by month, mutual aid and the trial balance, with their charts embedded as PNG data. One
self-contained file: no script, style sheet, font or image is fetched from anywhere. Every
text is escaped; the reports hold no ID numbers (they count people, they do not name them).
"""

import base64
import io
from html import escape

from ..rules.money import Yuan
from . import charts

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
    ("claims", "结算人次"),
    ("people", "就医人数"),
    ("medfee_sumamt", "医疗费用（元）"),
    ("fund_pay_sumamt", "基金支付（元）"),
    ("acct_pay", "个人账户支付（元）"),
    ("acct_mulaid_pay", "家庭共济支付（元）"),
)


def page(year: int, funds, mutual_aid, balance, region: str | None = None) -> str:
    """The page, from the year's reports (services.reports): funds by month, mutual aid and
    the trial balance."""
    total = funds.total or {}
    where = f"，区划 {escape(region)}" if region else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>门诊共济账本 {year} 年报告</title><style>{STYLE}</style></head><body>",
        f"<h1>门诊共济账本：{year} 年报告{where}</h1>",
        f'<p class="note">{escape(funds.title)}；冲正（撤销）的结算不计入。</p>',
        '<div class="headline">',
        *(
            f'<div class="figure" data-figure="{key}">{label}<b>{escape(str(total.get(key, 0)))}</b></div>'
            for key, label in HEADLINE
        ),
        "</div>",
        "<h2>基金支付（按月）</h2>",
        _chart(funds, "funds"),
        _table(funds),
        "<h2>家庭共济</h2>",
        _chart(mutual_aid, "mutual-aid") if mutual_aid.rows else "<p>本期没有家庭共济支付。</p>",
        _table(mutual_aid),
        "<h2>试算平衡</h2>",
        '<p class="note">每个账簿的期初、收入、支出、变动与期末（元，收入为正）；各列合计为零。</p>',
        _table(balance),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _chart(report, kind: str) -> str:
    buf = io.BytesIO()
    charts.draw(report, kind, buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img class="chart" data-chart="{kind}" alt="{escape(report.title)}" src="data:image/png;base64,{data}">'


def _table(report) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in report.columns)
    rows = [_row(r, report.columns) for r in report.rows]
    if report.total is not None and report.grouped:
        rows.append(_row(report.total, report.columns, total=True))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _row(values: dict, columns, total: bool = False) -> str:
    cells = []
    for i, c in enumerate(columns):
        v = values.get(c, "合计" if total and i == 0 else "")
        numeric = isinstance(v, (Yuan, int))
        cells.append(f"<td{' class=n' if numeric else ''}>{escape('' if v is None else str(v))}</td>")
    return f"<tr{' class=total' if total else ''}>{''.join(cells)}</tr>"
