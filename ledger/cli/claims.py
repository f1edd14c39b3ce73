import os
import sys
from contextlib import nullcontext
from functools import partial

import click
from sqlalchemy.exc import DBAPIError

from ..formats import read_ahead
from ..formats.claim_files import CountingReader
from ..i18n import _
from ..rules.claim_input import Unread
from ..rules.idcard import mask
from ..rules.money import format_fen
from ..rules.text import shown
from ..services import claims
from ..services import national as national_records
from .claim_reading import reading
from .context import (
    INCOMPLETE,
    as_date,
    date_type,
    emit,
    encoding_option,
    first_line,
    institution_option,
    json_line,
    json_option,
    waited,
    warn,
)


@click.group("claim")
def command():
    """Claim settlements (结算): post, reverse, show.

    \b
    Example:
        ledger claim post claims.jsonl --json > results.jsonl
        ledger claim show 2025030100017
    """


@command.command("post")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option(
    "--chunk",
    default=claims.CHUNK,
    show_default=True,
    type=click.IntRange(1, 20000),
    help="Claims per transaction. A crash loses at most the chunk in progress; run again to finish.",
)
@click.option(
    "--profile",
    type=click.Choice(["ledger", "national"]),
    default="ledger",
    show_default=True,
    help="The input's shape: the ledger's own fields, or the national platform's settlement records (结算信息).",
)
@institution_option
@encoding_option
@json_option
@click.pass_obj
def post(obj, file, chunk, profile, institution, encoding, as_json):
    """Post the claims in FILE ('-' for standard input).

    FILE is a JSON object, a JSON array, JSON lines, or CSV with a header, with the fields
    of the national settlement interface: setl_id, psn_no, service_date, med_type, hosp_lv,
    dise_codg, medfee_sumamt, fulamt_ownpay_amt, overlmt_selfpay, preselfpay_amt,
    acct_used_flag, mulaid_payer. Money is yuan as a string ("800.00").

    With --profile national, FILE holds the national platform's settlement records (JSON,
    amounts as numbers): the person is found by certno, the institution, times, stay dates,
    other funds and every field the ledger does not read are kept with the claim (`claim
    show --json`), and a refund record (refd_setl_flag 1) reverses the claim it names
    (docs/national-records.md). A record that gives no level takes its institution's from
    the registry (`ledger institution import`); --institution CODE names the institution of
    records that name none (docs/institutions.md).

    Each claim is posted once: posting a file again reports the claims already in as
    `duplicate`. Bad rows are reported (line, setl_id, message) and the good rows are
    posted. With --json, one result object per line on stdout; the summary goes to stderr.
    A FILE of 1 MiB or more, or standard input, is read and checked in a second process
    while this one posts; LEDGER_READ_AHEAD=0 keeps it to one (docs/claims.md).

    \b
    Exit codes:
      0  every row posted or a duplicate
      1  some rows were rejected; every other row was posted
      5  incomplete: the run stopped before the end of FILE (a part of it that cannot be
         read, or the database refused a chunk); the summary says from which line.
         Post the file again once it is mended: what is in comes back as duplicates.

    \b
    Example:
        ledger claim post claims.csv
        ledger claim post - --json < claims.jsonl
    """
    uow = obj.uow()
    national = profile == "national"
    if institution is not None and not national:
        raise click.UsageError(_("--institution names the institution of platform records: use --profile national"))
    total = None if file == "-" else os.path.getsize(file)
    tally = _Tally()
    show_bar = sys.stderr.isatty() and not as_json
    source = nullcontext(sys.stdin.buffer) if file == "-" else open(file, "rb")  # noqa: SIM115 - closed by the with
    progress = click.progressbar(length=total, label="posting", file=sys.stderr) if show_bar else nullcontext()

    def rows(read):
        for line, row in read:
            if isinstance(row, Unread):
                tally.stopped.append(_("{file} could not be read past line {line}").format(file=file, line=line))
            yield line, row

    with (
        source as raw,
        progress as bar,
        reading(CountingReader(raw), file, national, total, encoding) as (read, reader),
    ):
        post_rows = partial(national_records.post_records, institution=institution) if national else claims.post_claims
        _drain(post_rows(uow, obj.operator, rows(read), chunk), tally, as_json, bar, reader)
    tally.finish(as_json)


def _drain(results, tally: "_Tally", as_json: bool, bar, counting) -> None:
    """Every result into the tally, the bar moved as the file is read; a chunk the database
    refused after its retries ends the run (its rows and those after it get no result)."""
    done = 0
    while True:
        try:
            r = next(results)
        except StopIteration:
            return
        except DBAPIError as e:
            tally.stopped.append(
                _(
                    "the database refused a chunk after {claims} claims ({value}); nothing of that chunk was written"
                ).format(claims=tally.counts["claims"], value=waited(e) or first_line(e.orig))
            )
            return
        except read_ahead.ReaderFailed as e:
            tally.stopped.append(f"{e}, after {tally.counts['claims']} claims")
            return
        tally.add(r, as_json)
        if bar is not None and counting.bytes > done:
            bar.update(counting.bytes - done)
            done = counting.bytes


class _Tally:
    """What `claim post` says at the end: counts and money of the results, the policy
    warnings once each, and whether the run stopped before the end of its file."""

    def __init__(self):
        self.counts = {
            "claims": 0,
            "posted": 0,
            "duplicate": 0,
            "rejected": 0,
            "reversed": 0,
            "fund_paid": 0,
            "accounts_paid": 0,
            "cash": 0,
        }
        self.warnings: set[str] = set()
        self.stopped: list[str] = []

    def add(self, r: claims.ClaimResult, as_json: bool) -> None:
        """Count a result and print it: every result as a JSON line, or the rejected ones on stderr."""
        if as_json:
            click.echo(json_line(r))
        elif r.status == "rejected":
            click.echo(
                shown(
                    _("line {line}, setl_id {setl_id}: {errors}").format(
                        line=r.line, setl_id=r.setl_id or "?", errors="; ".join(r.errors)
                    )
                ),
                err=True,
            )
        c = self.counts
        c["claims"] += 1
        c[r.status] += 1
        if r.status == "posted":
            c["fund_paid"] += r.fund_pay_sumamt.fen
            c["accounts_paid"] += r.acct_pay.fen + r.wallet_pay.fen + r.acct_mulaid_pay.fen
            c["cash"] += r.psn_cash_pay.fen
        self.warnings.update(r.warnings)

    def finish(self, as_json: bool) -> None:
        """Print the summary (stderr under --json) and exit with the run's code."""
        c = self.counts
        for w in sorted(self.warnings):
            warn(w)
        click.echo(
            _("{claims} claims: {posted} posted, {duplicate} duplicates, {rejected} rejected").format(
                claims=c["claims"], posted=c["posted"], duplicate=c["duplicate"], rejected=c["rejected"]
            )
            + (_(", {reversed} reversed by refund records").format(reversed=c["reversed"]) if c["reversed"] else "")
            + _("; fund paid {fund_paid}, accounts paid {accounts_paid}, cash {cash}").format(
                fund_paid=format_fen(c["fund_paid"]),
                accounts_paid=format_fen(c["accounts_paid"]),
                cash=format_fen(c["cash"]),
            ),
            err=as_json,
        )
        if self.stopped:
            click.echo(
                _(
                    "INCOMPLETE: {stopped}; the claims above are in, the rest of the file is not: mend it and post it again"
                ).format(stopped=self.stopped[0]),
                err=True,
            )
            sys.exit(INCOMPLETE)
        if c["rejected"]:
            sys.exit(1)


@command.command("show")
@click.argument("setl_id")
@json_option
@click.pass_obj
def show(obj, setl_id, as_json):
    """Show a posted claim: what the funds, the accounts and the patient paid.

    \b
    Example:
        ledger claim show 2025030100017 --json
    """
    emit(claims.show_claim(obj.uow(), setl_id), as_json, _human_claim)


@command.command("reverse")
@click.argument("setl_id")
@click.option("--reason", required=True, help="Why (recorded with the reversal and in the audit log).")
@click.option("--date", "on", type=date_type, help="Date of the compensating entries (default: today).")
@json_option
@click.pass_obj
def reverse(obj, setl_id, reason, on, as_json):
    """Reverse a posted claim with compensating entries.

    The funds, accounts and cash get back what the claim took, and the claim's usage of
    its own year's deductible and caps is given back. Later claims are not re-adjudicated.
    A claim is reversed at most once.

    \b
    Example:
        ledger claim reverse 2025030100017 --reason "settled twice at the hospital"
    """
    v = claims.reverse_claim(obj.uow(), obj.operator, setl_id, reason, as_date(on))
    emit(v, as_json, _human_claim)


def _human_claim(v: dict) -> None:
    click.echo(
        _("claim {setl_id}  {psn_no}  {service_date}  med_type {med_type}").format(
            setl_id=v["setl_id"], psn_no=mask(v["psn_no"]), service_date=v["service_date"], med_type=v["med_type"]
        )
        + (_("  level {hosp_lv}").format(hosp_lv=v["hosp_lv"]) if v["hosp_lv"] else "")
        + (_("  disease {dise_codg}").format(dise_codg=v["dise_codg"]) if v["dise_codg"] else "")
    )
    click.echo(
        _("  fee {medfee_sumamt}, in policy scope {inscp_scp_amt}, deductible {act_pay_dedc}").format(
            medfee_sumamt=v["medfee_sumamt"], inscp_scp_amt=v["inscp_scp_amt"], act_pay_dedc=v["act_pay_dedc"]
        )
    )
    click.echo(
        _("  fund {fund_pay_sumamt} (basic {hifp_pay}, major illness {hifmi_pay}, large expense {hifob_pay})").format(
            fund_pay_sumamt=v["fund_pay_sumamt"],
            hifp_pay=v["hifp_pay"],
            hifmi_pay=v["hifmi_pay"],
            hifob_pay=v["hifob_pay"],
        )
    )
    click.echo(
        _(
            "  personal {psn_part_amt}: own account {acct_pay}, family accounts {acct_mulaid_pay}, cash {psn_cash_pay}"
        ).format(
            psn_part_amt=v["psn_part_amt"],
            acct_pay=v["acct_pay"],
            acct_mulaid_pay=v["acct_mulaid_pay"],
            psn_cash_pay=v["psn_cash_pay"],
        )
    )
    if v["wallet_pay"].fen:
        click.echo(_("    from the wallet (医保钱包): {wallet_pay}").format(wallet_pay=v["wallet_pay"]))
    for p in v["mulaid_payers"]:
        click.echo(_("    paid by {psn_no}: {amount}").format(psn_no=mask(p["psn_no"]), amount=p["amount"]))
    if v["balc"] is not None:
        click.echo(_("  own balance after: {balc}").format(balc=v["balc"]))
    click.echo(
        _("  posted {posted_at:%Y-%m-%d %H:%M} by {operator}; policy {policy}").format(
            posted_at=v["posted_at"], operator=v["operator"], policy=", ".join(v["policy"])
        )
    )
    if v["reversal"]:
        rv = v["reversal"]
        click.echo(
            _("  REVERSED {reversed_on} by {operator}: {reason}").format(
                reversed_on=rv["reversed_on"], operator=rv["operator"], reason=rv["reason"]
            )
        )


from . import reconcile as _reconcile  # noqa: E402 - the group must exist first
from .usage import command as usage_command  # noqa: E402, F401 - its old name, ledger.cli.claims.usage_command

command.add_command(_reconcile.command)

from . import claim_list as _claim_list  # noqa: E402 - the group must exist first

command.add_command(_claim_list.command)
