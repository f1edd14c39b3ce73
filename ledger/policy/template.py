"""An operator's policy file to fill in: every parameter the files in force for a region
leave open, with its meaning and the shape of its value, so an operator writes numbers,
not keys. Pure text; `ledger policy template REGION` prints it.

Required parameters stand with an empty value (`value = ""`), which `ledger policy check`
refuses, naming the key, until a number is written in; optional ones (unset: no such
limit, cap or item) stand commented out."""

from datetime import date

from ..i18n import N_, _
from .book import PolicyBook, pooling_area
from .parameters import PARAMETERS, Kind, Need, Parameter

# The shape of each kind of value, said in the run's language (the template's comments are
# for the operator who fills it in; its keys and values are the same in every language).
SHAPES = {
    Kind.MONEY: N_('yuan as a string, e.g. "300.00"'),
    Kind.RATIO: N_('a decimal string between 0 and 1, e.g. "0.55"'),
    Kind.COUNT: N_("a whole number, e.g. 3"),
    Kind.YEAR: N_("a year, e.g. 2025"),
    Kind.DATE: N_("an unquoted date, e.g. 2025-02-28"),
    Kind.FLAG: N_("true or false"),
    Kind.TIME: N_("an unquoted local time, e.g. 22:00:00"),
    Kind.ZONE: N_('an IANA time zone name, e.g. "Asia/Shanghai"'),
    Kind.RELATIONS: N_('a list, e.g. ["spouse", "parent", "child"]'),
    Kind.MAP: N_('a table of codes, e.g. { "2101" = "21" }'),
    Kind.DISEASES: N_(
        'a list of tables, e.g. [{code = "E11", name = "糖尿病", annual_cap = "1800.00", ratio = "0.60"}] (cap and ratio optional)'
    ),
    Kind.SEGMENTS: N_(
        'bands on the year\'s self-pay, e.g. [{from = "15000.00", ratio = "0.60"}, {from = "50000.00", ratio = "0.70"}]'
    ),
}


def policy_template(book: PolicyBook, region: str, year: int) -> str:
    area = pooling_area(region)
    on = date(year, 1, 1)
    given = book.in_force(area, on)
    named = next((r.document.policy.region_name for r in given.values()), "")
    open_required = [p for p in PARAMETERS.values() if p.need is Need.REQUIRED and p.name not in given]
    open_optional = [p for p in PARAMETERS.values() if p.need is Need.OPTIONAL and p.name not in given]
    head = _(
        "Policy parameters for region {area} that the files in force on {on} leave open.\n"
        "{given} parameters are given already (`ledger policy show {area} {year}`); {required} are required\n"
        "and open below, each with an empty value that `ledger policy check` refuses until it is filled in.\n"
        "Delete a block your area does not use: a claim that needs it then fails, naming it.\n"
        "Optional parameters at the end are commented out: unset means no such limit, cap or item."
    ).format(area=area, on=on, given=len(given), year=year, required=len(open_required))
    out = [
        *("# " + line for line in head.split("\n")),
        "",
        f'region = "{area}"',
        f'region_name = "{named}"',
        'title = ""                      # the document these numbers come from',
        f"effective_from = {on}",
        f"# review_by = {year}-12-31        # optional: a warning when a value is used after this date",
        "",
        "[sources.bureau]",
        "title = \"\"                      # the document's title, or the bureau's decision",
        'grade = ""                      # S seed, N national, B secondary, U unverified, D decision',
        '# url = ""',
        "# published = 2025-01-01",
    ]
    for p in open_required:
        out += _block(p, commented=False)
    if open_optional:
        out += ["", "# --- " + _("optional: unset means no such rule") + " ---"]
        for p in open_optional:
            out += _block(p, commented=True)
    return "\n".join(out) + "\n"


def _block(p: Parameter, commented: bool) -> list[str]:
    if p.kind is Kind.CHOICE:
        shape = _("one of {choices}").format(choices=", ".join(repr(c) for c in p.choices))
    else:
        shape = _(SHAPES[p.kind])
    lines = [
        f'[parameters."{p.name}"]',
        'value = ""',
        'source = "bureau"',
        'quote = ""                      # the source\'s own words',
    ]
    if commented:
        lines = ["# " + line for line in lines]
    return ["", f"# {_(p.description)}", f"# {p.kind.value}: {shape}", *lines]
