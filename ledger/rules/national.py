"""The national platform's settlement records (结算信息), read as the ledger's claims: the
`national` input profile (docs/national-records.md). Pure: a record (a dict) in, a
`Record` out, or a ValidationError naming the one field at fault. No database here.

The platform and the ledger share many field names but not all their meanings:
- the platform's `psn_no` is its own person number (人员编号); the ID number is `certno`,
  with `psn_cert_type` "01" (居民身份证). The ledger's `psn_no` is the ID number;
- `hosp_lv` is the platform's 11-value hospital grade (医院等级); the ledger's level is the
  deductible level (起付线医院等级, `dedc_hosp_lv`), 1, 2 or 3;
- amounts are JSON numbers, read from their text, never through a float;
- the date of service is the day of `setl_time` ("yyyy-MM-dd HH:mm:ss").

Every code table the profile maps is here, once.
"""

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import NamedTuple

from ..errors import ValidationError
from ..i18n import N_, _
from . import codes
from .claim_input import Claim, exact_claim
from .idcard import is_id_number
from .money import format_fen
from .national_maps import DEFAULT_MAPS, FIELD_SPELLINGS, Maps, maps_of, respelled  # noqa: F401 - named here too
from .platform_money import fen

PROFILE = "national"
ID_CARD = "01"  # psn_cert_type: 居民身份证
# 社会保障卡: Hunan's records give it with the holder's ID number (tests/data/platform), taken
# where the number is one; any other certificate type is refused.
SOCIAL_SECURITY_CARD = "90"

HOSP_GRADES = codes.HOSP_GRADES  # its old home
DEDUCTIBLE_LEVELS = ("1", "2", "3")

MED_TYPES = codes.PLATFORM_MED_TYPES  # its old home
MATERNITY = N_("maternity insurance (生育保险), which these books do not keep")

# 退费结算标志 refd_setl_flag: "0" a settlement, "1" a refund (reverses init_setl_id). Any
# other value is refused by name: taken for a settlement, a correction would pay again.
REFUND_FLAGS = {"0": False, "1": True}
UNKNOWN_FLAG = N_(
    "{flag} is not a flag the national profile maps: 0 (a settlement) or 1 (a refund) (docs/national-records.md)"
)

# The ledger's own inputs, read from the record.
INPUT_AMOUNTS = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt")
# `claim reconcile`: ours beside the platform's, by its names (2207/2304 and 5203 differ in two).
COMPARED = (
    ("inscp_scp_amt", "inscp_scp_amt"),
    ("act_pay_dedc", "act_pay_dedc"),
    ("hifp_pay", "hifp_pay"),
    ("hifmi_pay", "hifmi_pay"),
    ("hifob_pay", "hifob_pay"),
    ("fund_pay_sumamt", "fund_pay_sumamt"),
    ("psn_part_amt", "psn_part_amt"),
    ("psn_part_amt", "psn_pay"),
    ("acct_pay", "acct_pay"),
    ("acct_mulaid_pay", "acct_mulaid_pay"),
    ("psn_cash_pay", "psn_cash_pay"),
    ("psn_cash_pay", "cash_payamt"),
    ("balc", "balc"),
)
# Funds outside the basic scheme that pay part of the patient's share (codes.OTHER_FUNDS).
OTHER_FUNDS = tuple(codes.OTHER_FUNDS)
FIGURES = tuple(p for _ledger, p in COMPARED) + OTHER_FUNDS
# Of those, what posting needs: read with the record. The others are kept as received and
# read when reconcile compares them (`platform_figure`).
POSTING_FIGURES = OTHER_FUNDS + ("acct_pay", "acct_mulaid_pay")
_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$")
_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


class Record(NamedTuple):
    """A platform record as the ledger reads it."""

    claim: dict  # in the ledger's own fields, for parse_claim
    parsed: Claim | None  # that claim, where its fields passed the checks (exact_claim)
    figures: dict[str, int | None]  # POSTING_FIGURES, fen; None where not given
    refund: bool  # refd_setl_flag "1", or a cancellation: reverses init_setl_id (a cancellation's: or its own setl_id)
    init_setl_id: str | None
    platform_psn_no: str | None
    mdtrt_id: str | None
    fixmedins_code: str | None
    fixmedins_name: str | None
    setl_time: datetime
    begndate: date | None
    enddate: date | None
    raw: Mapping  # the record as received (a Received row, or its text sent from the reader process)
    teaches: bool = False  # gives a platform person number not known before (services/platform_records.whose)
    institution: object = None  # its institution's registry state on the day (rules/placing.py), if registered
    treatment_area: str | None = None  # where the care was given: mdtrtarea_admvs, else the institution's region
    offsite: str | None = None  # the kind of off-site care its claim was adjudicated as (rules/offsite.py)
    cancellation: bool = False  # a cancellation (2208/2305: negative amounts, no refd_setl_flag)
    fields: Mapping | None = None  # the record with a province's spellings read as the national names (Maps)

    @property
    def view(self) -> Mapping:
        """The record's fields by their national names."""
        return self.raw if self.fields is None else self.fields


def _text(raw: Mapping, field: str, *, required: bool = False) -> str | None:
    v = raw.get(field)
    if type(v) is str and (t := v.strip()):
        return t
    if v is None or (isinstance(v, str) and not v.strip()):
        if required:
            raise ValidationError(field, _("is required"))
        return None
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        raise ValidationError(field, _("expected text, got {name}").format(name=type(v).__name__))
    return str(v).strip()


def _day(raw: Mapping, field: str) -> date | None:
    t = _text(raw, field)
    if t is None:
        return None
    try:
        return date.fromisoformat(t[:10])
    except ValueError:
        raise ValidationError(field, _("is not a date yyyy-MM-dd (got {t!r})").format(t=t[:40])) from None


def read_record(raw: object, maps: Maps = DEFAULT_MAPS) -> Record:
    """One settlement record (any JSON object: see Record.raw), read; the first field at fault raises, named once."""
    if not isinstance(raw, Mapping):
        raise ValidationError("record", _("expected a JSON object (a settlement record)"))
    received, raw = raw, respelled(raw, maps.fields)
    setl_id = _text(raw, "setl_id", required=True)
    cancellation = _cancellation(raw)
    refund = cancellation or _refund(raw)
    init_setl_id = _text(raw, "init_setl_id")
    if refund and not cancellation and init_setl_id is None:
        raise ValidationError(
            "init_setl_id", _("is required on a refund record (refd_setl_flag 1): it names the settlement refunded")
        )
    certno = _certno(raw, refund)
    platform_psn_no = _text(raw, "psn_no")
    setl_time = _setl_time(raw)
    claim = {"setl_id": setl_id, "service_date": setl_time.date().isoformat()}
    code = _text(raw, "med_type", required=not refund)  # a cancellation's claim knows its own (2305 gives none)
    if code is not None:
        claim["med_type"] = med_type = _med_type(code, maps.med_types)
    if certno is not None:
        claim["psn_no"] = certno
    fees = _fees(raw, refund, claim)
    figures = {f: fen(raw.get(f), f, negative=refund) for f in POSTING_FIGURES}
    codes = [_text(raw, f) for f in ("fixmedins_code", "mdtrt_id")]
    for f, t in zip(("fixmedins_code", "mdtrt_id"), codes, strict=True):
        if t is not None and not _CODE.match(t):
            raise ValidationError(f, _("is letters, digits and _.- , at most 64 (got {t!r})").format(t=t[:40]))
    if (level := level_given(raw)) is not None:
        claim["hosp_lv"] = level
    if (disease := _text(raw, "dise_codg")) is not None:
        claim["dise_codg"] = disease
    claim["acct_used_flag"] = "1" if figures["acct_pay"] or figures["acct_mulaid_pay"] else "0"
    parsed = None
    if certno is not None and not refund:
        parsed = exact_claim(
            setl_id, certno, setl_time.date(), med_type, claim.get("hosp_lv"), claim.get("dise_codg"), fees,
            claim["acct_used_flag"],
        )  # fmt: skip
    return Record(
        claim=claim,
        parsed=parsed,
        figures=figures,
        refund=refund,
        init_setl_id=init_setl_id,
        cancellation=cancellation,
        platform_psn_no=platform_psn_no,
        mdtrt_id=codes[1],
        fixmedins_code=codes[0],
        fixmedins_name=_text(raw, "fixmedins_name"),
        setl_time=setl_time,
        begndate=_day(raw, "begndate"),
        enddate=_day(raw, "enddate"),
        raw=received,
        fields=raw if raw is not received else None,
    )


def _fees(raw: Mapping, refund: bool, claim: dict) -> tuple[int, int, int, int]:
    """INPUT_AMOUNTS in fen, each given one also written into `claim` as yuan. A refund's
    are negative; the claim it names has them positive."""
    fees = tuple(abs(a) if (a := fen(raw.get(f), f, negative=refund)) else 0 for f in INPUT_AMOUNTS)
    for f, amount in zip(INPUT_AMOUNTS, fees, strict=True):
        if amount:
            claim[f] = format_fen(amount)
    if not fees[0]:
        raise ValidationError("medfee_sumamt", _("is required, more than 0"))
    return fees


def _med_type(code: str, provincial: Mapping[str, str]) -> str:
    """The ledger's med_type of the platform's code (or of the national code a province's is
    mapped to), or why there is none."""
    code = provincial.get(code, code)
    if code not in MED_TYPES:
        raise ValidationError(
            "med_type",
            _(
                '{code} is not a code the national profile maps: map it to a national code with national.med_type_map in a policy file, as {{ "{code}" = "21" }} (docs/national-records.md)'
            ).format(code=code[:20]),
        )
    name, med_type = MED_TYPES[code]
    if med_type is None:
        raise ValidationError(
            "med_type", _("{code} ({name}) is {maternity}").format(code=code, name=name, maternity=_(MATERNITY))
        )
    return med_type


def _cancellation(raw: Mapping) -> bool:
    """Whether the record is a cancellation (撤销) as the platform's 2208 and 2305 outputs
    give one: no refd_setl_flag, and a negative medfee_sumamt. An explicit flag 0 with
    negative amounts is a settlement that cannot be, and is refused by its amounts."""
    fee = raw.get("medfee_sumamt")
    return not _text(raw, "refd_setl_flag") and isinstance(fee, (str, int)) and str(fee).strip().startswith("-")


def _refund(raw: Mapping) -> bool:
    """Whether the record is a refund (refd_setl_flag "1"); no flag is a settlement."""
    flag = _text(raw, "refd_setl_flag") or "0"
    if flag not in REFUND_FLAGS:
        raise ValidationError("refd_setl_flag", _(UNKNOWN_FLAG).format(flag=flag[:20]))
    return REFUND_FLAGS[flag]


def _certno(raw: Mapping, refund: bool = False) -> str | None:
    """The ID number, where the record gives one. Another certificate type is refused unless
    it is the social security card's (90) and its number an ID number all the same; a refund
    or cancellation needs none (its claim knows its person)."""
    certno, cert_type = _text(raw, "certno"), _text(raw, "psn_cert_type")
    card = cert_type == SOCIAL_SECURITY_CARD and is_id_number(certno or "")
    if certno is not None and cert_type not in (None, ID_CARD) and not card:
        raise ValidationError(
            "psn_cert_type",
            _("{cert_type} is not {id_card} (居民身份证): the ledger knows persons by their ID number").format(
                cert_type=cert_type, id_card=ID_CARD
            ),
        )
    if certno is None and _text(raw, "psn_no") is None and not refund:
        raise ValidationError(
            "certno", _("is required (or psn_no, the platform's person number, once a record gave both)")
        )
    return certno


def _setl_time(raw: Mapping) -> datetime:
    text = _text(raw, "setl_time", required=True)
    if not _TIME.match(text):
        raise ValidationError("setl_time", _("is a time yyyy-MM-dd HH:mm:ss (got {text!r})").format(text=text[:40]))
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError("setl_time", _("{text} is not a calendar time").format(text=text)) from None


def level_given(raw: Mapping) -> str | None:
    """The deductible level: dedc_hosp_lv when it is one, else the level of the hospital's
    grade; None for a record that gives neither (the claim's rules say if it needs one)."""
    dedc = _text(raw, "dedc_hosp_lv")
    if dedc in DEDUCTIBLE_LEVELS:
        return dedc
    grade = _text(raw, "hosp_lv")
    if grade is None:
        if dedc is not None:
            raise ValidationError(
                "dedc_hosp_lv", _("{dedc} is not a deductible level 1, 2 or 3").format(dedc=dedc[:20])
            )
        return None
    if grade not in HOSP_GRADES:
        raise ValidationError("hosp_lv", _("{grade} is not a hospital grade 01-11 (医院等级)").format(grade=grade[:20]))
    return HOSP_GRADES[grade][1]  # None for 11 (无等级): the registry's level, if any (rules/placing.py)


def other_funds(record: "Record | None") -> int:
    """What the record's funds outside the basic scheme paid together, fen (0 without a record)."""
    if record is None:
        return 0
    return sum(record.figures[f] or 0 for f in OTHER_FUNDS)


def platform_figure(record: "Record", field: str) -> int | None:
    """One of the platform's figures (FIGURES) in fen, read from the text received; None
    where the record does not give it."""
    if field in record.figures:
        return record.figures[field]
    amount = fen(record.view.get(field), field, negative=record.refund)
    if field in ("psn_part_amt", "psn_pay") and amount is not None and _hospital_share_outside(record, amount):
        return amount + platform_figure(record, "hosp_part_amt")
    return amount


def _hospital_share_outside(record: "Record", personal: int) -> bool:
    """Whether the record keeps the hospital's share (hosp_part_amt) outside its personal
    share, as Chongqing's 2304 does: medfee = fund + personal + hospital's share, and that
    share is not 0. The ledger's personal share holds it (an other fund paying part of it),
    so the two are put side by side as personal + hospital's share."""
    hospital = platform_figure(record, "hosp_part_amt") or 0
    fee, fund = (fen(record.view.get(f), f, negative=record.refund) for f in ("medfee_sumamt", "fund_pay_sumamt"))
    return bool(hospital) and fee is not None and fund is not None and fee == fund + personal + hospital
