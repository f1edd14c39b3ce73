"""`ledger claim list`: the claims a filter names, as a table, CSV or JSON."""

import click

from ..rules.idcard import mask
from ..services import listings
from .context import as_date, date_type
from .output import listing_options, print_listing

CLAIM_COLUMNS = (
    "setl_id",
    "service_date",
    "psn_no",
    "name",
    "med_type",
    "hosp_lv",
    "fixmedins_code",
    "bucket",
    *listings.CLAIM_FIGURES,
    "status",
)


@click.command("list")
@click.option("--person", "psn_no", metavar="PSN_NO", help="Only the claims of this patient.")
@click.option(
    "--holder", metavar="PSN_NO", help="Only the claims this holder's account paid for a relative (mutual aid)."
)
@click.option("--institution", metavar="CODE", help="Only the claims at this institution (fixmedins_code).")
@click.option("--from", "date_from", type=date_type, help="First service date (inclusive).")
@click.option("--to", "date_to", type=date_type, help="Last service date (inclusive).")
@click.option("--status", type=click.Choice(listings.STATUSES), help="posted (standing) or reversed.")
@click.option(
    "--bucket", help="Only the claims of this usage bucket: outpatient, chronic:I10, inpatient, major_illness, ..."
)
@click.option("--med-type", help="Only the claims of this medical type (11, 14, 21, 41, ...).")
@listing_options
@click.pass_obj
def command(obj, psn_no, holder, institution, date_from, date_to, status, bucket, med_type, fmt, as_json, limit):
    """List posted claims by service date, with what the funds, the accounts and cash paid.

    \b
    Example:
        ledger claim list --person 220702200809020136 --from 2025-01-01 --to 2025-12-31
        ledger claim list --holder 220702197806110035 --status posted --format csv > mutual-aid.csv
    """
    found = listings.list_claims(
        obj.uow(),
        psn_no=psn_no,
        holder=holder,
        institution=institution,
        date_from=as_date(date_from),
        date_to=as_date(date_to),
        status=status,
        bucket=bucket,
        med_type=med_type,
        limit=limit or None,
    )
    right = frozenset(listings.CLAIM_FIGURES)
    said = frozenset({"status"})
    print_listing(found.rows, CLAIM_COLUMNS, "json" if as_json else fmt, found.more, _claim_cell, right, said)


def _claim_cell(column: str, value) -> str:
    if column == "psn_no":
        return mask(value)
    return "" if value is None else str(value)
