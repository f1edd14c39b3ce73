"""A claim settlement (结算) as it arrives from the national platform's interface: validated
at the boundary into a `Claim` with fen amounts and a date. No database here.

Field names are the platform's (docs/cli.md). Unknown fields are refused, so a misspelt
`preselfpay_amt` can never silently count as zero.
"""

import hashlib
import re
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from ..errors import ValidationError
from ..i18n import _, ngettext
from .bad_rows import BadRow, Unread  # noqa: F401 - named here, where readers have always found them
from .codes import HOSP_LEVELS, MED_TYPES  # noqa: F401 - named here before ledger.rules.codes
from .dates import day_or_none, parse_day
from .idcard import parse_id_number
from .money import format_fen, parse_yuan

FIELDS = (
    "setl_id", "psn_no", "service_date", "med_type", "hosp_lv", "dise_codg",
    "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt",
    "acct_used_flag", "mulaid_payer",
)  # fmt: skip
MONEY_FIELDS = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt")
_SETL_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
_DISE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,29}$")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Claim(NamedTuple):
    """A claim as validated: immutable, its fields in FIELDS order (a named tuple: built for
    every claim of a feed, it costs one allocation)."""

    setl_id: str
    psn_no: str
    service_date: date
    med_type: str
    hosp_lv: str | None
    dise_codg: str | None
    medfee_sumamt: int  # fen
    fulamt_ownpay_amt: int
    overlmt_selfpay: int
    preselfpay_amt: int
    acct_used_flag: str  # "1": accounts may pay the personal share; "0": cash only
    mulaid_payer: str | None

    @property
    def year(self) -> int:
        """The benefit year is the calendar year of the service date (docs/rules.md §5)."""
        return self.service_date.year

    def fingerprint(self) -> str:
        """Identity of the content, for idempotency: the same claim written as "800" or
        "800.00", with or without default fields, has the same fingerprint. Fields are
        joined with a separator no field may contain."""
        return hashlib.sha256("\x1f".join(map(str, self)).encode()).hexdigest()

    def as_fields(self) -> dict:
        """The input fields as the SPEC writes them: money as yuan strings."""
        d = {f: getattr(self, f) for f in FIELDS}
        for f in MONEY_FIELDS:
            d[f] = format_fen(d[f])
        d["service_date"] = self.service_date.isoformat()
        return d


# The fingerprint joins the fields in this order; stored fingerprints depend on it.
assert Claim._fields == FIELDS, "Claim's fields are FIELDS, in order"


class _ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    setl_id: str
    psn_no: str
    service_date: date
    med_type: str
    hosp_lv: str | None = None
    dise_codg: str | None = None
    medfee_sumamt: int
    fulamt_ownpay_amt: int = 0
    overlmt_selfpay: int = 0
    preselfpay_amt: int = 0
    acct_used_flag: str = Field(default="1")
    mulaid_payer: str | None = None

    @field_validator("setl_id", mode="before")
    @classmethod
    def _setl_id(cls, v):
        v = _text(v, "setl_id")
        if not _SETL_ID.match(v):
            raise ValueError(_("is 1-64 letters, digits or _ . : - (got {v!r})").format(v=v[:80]))
        return v

    @field_validator("psn_no", "mulaid_payer", mode="before")
    @classmethod
    def _id(cls, v, info):
        if v is None:
            return None
        return _checked_id(_text(v, info.field_name), info.field_name)

    @field_validator("service_date", mode="before")
    @classmethod
    def _date(cls, v):
        return parse_day(_text(v, "service_date"))

    @field_validator("med_type", mode="before")
    @classmethod
    def _med_type(cls, v):
        v = _text(v, "med_type")
        if v not in MED_TYPES:
            raise ValueError(
                _("unknown medical type {v!r}; known: {med_types}").format(v=v[:20], med_types=", ".join(MED_TYPES))
            )
        return v

    @field_validator("hosp_lv", mode="before")
    @classmethod
    def _level(cls, v):
        if v is None:
            return None
        v = _text(v, "hosp_lv")
        if v not in HOSP_LEVELS:
            raise ValueError(_("a facility level is 1, 2 or 3 (got {v!r})").format(v=v[:20]))
        return v

    @field_validator("dise_codg", mode="before")
    @classmethod
    def _disease(cls, v):
        if v is None:
            return None
        v = _text(v, "dise_codg")
        if not _DISE.match(v):
            raise ValueError(
                _("a disease code is letters, digits, '.' or '-', at most 30 (got {v!r})").format(v=v[:40])
            )
        return v

    @field_validator(*MONEY_FIELDS, mode="before")
    @classmethod
    def _money(cls, v, info):
        try:
            return parse_yuan(v, info.field_name)
        except ValidationError as e:
            raise ValueError(str(e).removeprefix(f"{info.field_name}: ")) from None

    @field_validator("acct_used_flag", mode="before")
    @classmethod
    def _flag(cls, v):
        v = _text(v, "acct_used_flag")
        if v not in ("0", "1"):
            raise ValueError(_('is "1" (accounts may pay) or "0" (cash only), got {v!r}').format(v=v[:20]))
        return v


@lru_cache(maxsize=1 << 16)
def _checked_id(text: str, field: str) -> str:
    """A claim feed names the same people again and again; each number is checked once."""
    return parse_id_number(text, field).value


def _text(v: object, field: str) -> str:
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        raise ValueError(_("expected text, got {name}").format(name=type(v).__name__))
    return str(v).strip()


def parse_claim(raw: object) -> Claim:
    """One claim from a JSON object or CSV row. Blank cells count as absent, so CSV's empty
    optional columns take their defaults. Every problem is reported at once, each naming
    its field; amounts that do not add up are refused (the policy-scope amount would be
    negative)."""
    if not isinstance(raw, dict):
        raise ValidationError(
            "claim",
            _("expected a JSON object with fields {fields}, got {raw}").format(
                fields=", ".join(FIELDS), raw=_shape(raw)
            ),
        )
    data = {k: v for k, v in raw.items() if not (v is None or (isinstance(v, str) and not v.strip()))}
    m = _well_formed(data) or _validated(data)
    if m.medfee_sumamt == 0:
        raise ValidationError("medfee_sumamt", _("must be greater than zero"))
    outside = m.fulamt_ownpay_amt + m.overlmt_selfpay + m.preselfpay_amt
    if outside > m.medfee_sumamt:
        raise ValidationError(
            "medfee_sumamt",
            _("{medfee_sumamt} is less than fulamt_ownpay_amt + overlmt_selfpay + preselfpay_amt = {outside}").format(
                medfee_sumamt=format_fen(m.medfee_sumamt), outside=format_fen(outside)
            ),
        )
    if m.mulaid_payer is not None and m.mulaid_payer == m.psn_no:
        raise ValidationError("mulaid_payer", _("is the patient; the patient's own account pays first anyway"))
    if isinstance(m, Claim):
        return m
    return Claim(
        m.setl_id, m.psn_no, m.service_date, m.med_type, m.hosp_lv, m.dise_codg, m.medfee_sumamt,
        m.fulamt_ownpay_amt, m.overlmt_selfpay, m.preselfpay_amt, m.acct_used_flag, m.mulaid_payer,
    )  # fmt: skip


def exact_claim(
    setl_id: str,
    psn_no: str,
    service_date: date,
    med_type: str,
    hosp_lv: str | None,
    dise_codg: str | None,
    fees: tuple[int, int, int, int],
    acct_used_flag: str,
) -> Claim | None:
    """The Claim of fields a profile has already read exactly (rules/national.py: amounts in
    fen, not negative and within MAX_FEN; the date a date; med_type and hosp_lv from its
    code tables), checked as parse_claim checks the rest. None where a check fails:
    parse_claim of the same fields then says why, so every message comes from one place."""
    medfee, own, over, pre = fees
    if medfee <= 0 or own + over + pre > medfee or not _SETL_ID.match(setl_id):
        return None
    if dise_codg is not None and not _DISE.match(dise_codg):
        return None
    try:
        psn_no = _checked_id(psn_no, "psn_no")
    except ValidationError:
        return None
    return Claim(
        setl_id, psn_no, service_date, med_type, hosp_lv, dise_codg, medfee, own, over, pre, acct_used_flag, None
    )


def _validated(data: dict) -> "_ClaimIn":
    """The model's validation: every problem found, each message naming its field."""
    try:
        return _ClaimIn.model_validate(data)
    except PydanticValidationError as e:
        errors = e.errors()
        unknown = [".".join(map(str, err["loc"])) for err in errors if err["type"] == "extra_forbidden"]
        described = [_describe(err) for err in errors if err["type"] != "extra_forbidden"]
        if unknown:  # the known fields listed once, however many unknown ones
            described.append(
                ngettext(
                    "{unknown}: unknown field (known: {fields})",
                    "{unknown}: unknown fields (known: {fields})",
                    len(unknown),
                ).format(unknown=", ".join(unknown), fields=", ".join(FIELDS))
            )
        field = described[0].split(":", 1)[0]
        raise ValidationError(field, "; ".join(described).removeprefix(f"{field}: ")) from None


_REQUIRED = frozenset({"setl_id", "psn_no", "service_date", "med_type", "medfee_sumamt"})
_KNOWN = frozenset(FIELDS)


def _well_formed(data: dict) -> Claim | None:
    """The common case, checked by the same rules as the model's validators without the
    model: a row whose every field is well formed gives its Claim; for anything else, None,
    and the model validates it and says what is wrong (the messages come from one place).
    A feed is nearly all well-formed rows, and this costs a third of the model's time."""
    if not (_REQUIRED <= data.keys() <= _KNOWN):
        return None
    try:
        get = data.get
        values = [check(get(f)) for f, check in _FAST_IN_ORDER]
    except (ValueError, LookupError, TypeError, ValidationError):
        return None
    return None if _FAILED in values else Claim(*values)


_FAILED = object()  # a value the fast checks would not take: the model decides


def _fast_text(v: object) -> str:
    if type(v) is str:  # nearly always: JSON's strings and CSV's cells
        return v.strip()
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        raise TypeError
    return str(v).strip()


def _fast_pattern(pattern: re.Pattern, default=None):
    def check(v):
        if v is None:
            return default
        t = _fast_text(v)
        return t if pattern.match(t) else _FAILED

    return check


def _fast_member(known, default=None):
    def check(v):
        if v is None:
            return default
        t = _fast_text(v)
        return t if t in known else _FAILED

    return check


def _fast_id(v):
    return None if v is None else _checked_id(_fast_text(v), "psn_no")


def _fast_date(v):
    t = _fast_text(v)
    if _DATE.fullmatch(t):  # nearly always: the ISO day the ledger and scripts write
        return date.fromisoformat(t)
    return day_or_none(t) or _FAILED


def _fast_money(v):
    return 0 if v is None else parse_yuan(v)


_FAST = {
    "setl_id": _fast_pattern(_SETL_ID),
    "psn_no": _fast_id,
    "service_date": _fast_date,
    "med_type": _fast_member(MED_TYPES),
    "hosp_lv": _fast_member(HOSP_LEVELS),
    "dise_codg": _fast_pattern(_DISE),
    "medfee_sumamt": _fast_money,
    "fulamt_ownpay_amt": _fast_money,
    "overlmt_selfpay": _fast_money,
    "preselfpay_amt": _fast_money,
    "acct_used_flag": _fast_member(("0", "1"), "1"),
    "mulaid_payer": _fast_id,
}
assert _FAST.keys() == set(FIELDS)
_FAST_IN_ORDER = tuple((f, _FAST[f]) for f in FIELDS)


def _describe(err: dict) -> str:
    loc = ".".join(str(p) for p in err["loc"]) or "claim"
    if err["type"] == "missing":
        return f"{loc}: " + _("is required")
    return f"{loc}: {err['msg'].removeprefix('Value error, ')}"


def _shape(raw: object) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "true/false"}.get(
        type(raw), type(raw).__name__
    )
