"""`ledger claim reconcile`: the platform's figures beside the ledger's, writing nothing."""

import sys
from contextlib import nullcontext

import click

from ..formats.claim_files import read_claims, text_of
from ..i18n import _
from ..rules.claim_input import Unread
from ..rules.money import format_fen
from ..rules.text import shown
from ..services.reconcile import AGREES, DIFFERS, REFUND, REJECTED, reconcile
from .context import INCOMPLETE, encoding_option, institution_option, json_line, json_option


@click.command("reconcile")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@institution_option
@encoding_option
@json_option
@click.pass_obj
def command(obj, file, institution, encoding, as_json):
    """对账: compare the national platform's settlement records in FILE with the ledger's
    own adjudication of them, field by field. Nothing is written.

    FILE holds the platform's records (结算信息) as JSON: an array, objects one per line, or
    one object; amounts may be JSON numbers. The records are adjudicated in file order, as
    `claim post` would post them, in a transaction that is rolled back; a record already
    posted is compared with what was posted. Compared, under the platform's names:
    inscp_scp_amt, act_pay_dedc, hifp_pay, hifmi_pay, hifob_pay, fund_pay_sumamt,
    psn_part_amt (psn_pay), acct_pay, acct_mulaid_pay, psn_cash_pay (cash_payamt), balc,
    where the record gives them, and the record's deductible level beside the registry's
    (dedc_hosp_lv). Refund records (refd_setl_flag 1) are listed, not compared.
    --institution CODE: as for `claim post`.

    Every difference is printed (line, setl_id, field, platform, ledger, difference in
    yuan, ledger less platform), then a summary by field. With --json, one object per record
    on stdout; the summary goes to stderr. On SQLite the run holds the write lock until it ends.

    \b
    Exit codes:
      0  every record agrees
      1  some record differs, or the ledger would not take it
      5  FILE could not be read to its end

    \b
    Example:
        ledger claim reconcile setlinfo-2025-03.json
        ledger claim reconcile setlinfo-2025-03.json --json > differences.jsonl
    """
    stopped = []

    def rows():
        for line, row in read_claims(text_of(raw, encoding), file, exact_numbers=True):
            if isinstance(row, Unread):
                stopped.append(_("{file} could not be read past line {line}").format(file=file, line=line))
            yield line, row

    counts = {AGREES: 0, DIFFERS: 0, REJECTED: 0, REFUND: 0}
    by_field: dict[str, list[int]] = {}
    levels = 0
    source = nullcontext(sys.stdin.buffer) if file == "-" else open(file, "rb")  # noqa: SIM115 - closed by the with
    with source as raw:
        for r in reconcile(obj.uow(), obj.operator, rows(), institution):
            counts[r.status] += 1
            for d in r.differences:
                by_field.setdefault(d.field, []).append(d.difference)
            levels += bool(r.level)
            _say(r, as_json)
    _summary(counts, by_field, as_json)
    if levels:
        click.echo(
            _("  deductible level: {count} record(s) differ from the registry").format(count=levels), err=as_json
        )
    if stopped:
        click.echo(_("INCOMPLETE: {stopped}").format(stopped=stopped[0]), err=True)
        sys.exit(INCOMPLETE)
    if counts[DIFFERS] or counts[REJECTED]:
        sys.exit(1)


def _say(r, as_json: bool) -> None:
    if as_json:
        click.echo(
            json_line(
                {
                    "line": r.line,
                    "setl_id": r.setl_id,
                    "status": r.status,
                    "differences": [
                        {
                            "field": d.field,
                            "platform": format_fen(d.platform),
                            "ledger": format_fen(d.ledger),
                            "difference": format_fen(d.difference),
                        }
                        for d in r.differences
                    ],
                    "errors": [r.error] if r.error else [],
                    "level": {"platform": r.level[0], "registry": r.level[1]} if r.level else None,
                }
            )
        )
        return
    where = _("line {line}, setl_id {setl_id}").format(line=r.line, setl_id=r.setl_id or "?")
    for d in r.differences:
        click.echo(
            shown(
                f"{where}: {d.field} platform {format_fen(d.platform)}, ledger {format_fen(d.ledger)}, "
                f"difference {format_fen(d.difference)}"
            )
        )
    if r.level:
        click.echo(
            shown(
                _("{where}: deductible level platform {platform}, registry {registry}").format(
                    where=where, platform=r.level[0], registry=r.level[1]
                )
            )
        )
    if r.status == REJECTED:
        click.echo(shown(_("{where}: not compared: {error}").format(where=where, error=r.error)))


def _summary(counts: dict, by_field: dict[str, list[int]], as_json: bool) -> None:
    total = sum(counts.values())
    click.echo(
        _(
            "{total} records: {counts} agree, {counts2} differ, {counts3} not taken by the ledger, {counts4} refunds not compared"
        ).format(
            total=total,
            counts=counts[AGREES],
            counts2=counts[DIFFERS],
            counts3=counts[REJECTED],
            counts4=counts[REFUND],
        ),
        err=as_json,
    )
    for field in sorted(by_field):
        diffs = by_field[field]
        click.echo(
            _("  {field}: {count} record(s) differ, ledger less platform {diffs} in all").format(
                field=field, count=len(diffs), diffs=format_fen(sum(diffs))
            ),
            err=as_json,
        )
