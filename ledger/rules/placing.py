"""Where a platform record's care was given: its institution (the record's
`fixmedins_code`, the one named for the whole file, or the registered institution whose code
begins its `medins_setl_id`), the deductible level and kind of care it takes from the
registry, and the area of treatment (docs/institutions.md). Pure: the registry's states for
the records' codes come in, fetched by the service.

    place(Record, Registry, file_code) -> Record   or a LedgerError for that record
"""

from dataclasses import dataclass, field
from datetime import date

from ..errors import Conflict, LedgerError, NotFound, ValidationError
from ..i18n import _
from ..policy.book import PolicyBook, pooling_area
from .codes import HOSP_LEVELS, PHARMACY
from .institutions import State, by_prefix, state_on
from .national import Record

# A claim the record gives as general outpatient care (普通门诊) at a registered pharmacy is
# a pharmacy purchase (定点药店购药): the registry, not the record, knows what the place is.
AT_A_PHARMACY = {"11": "41"}


@dataclass
class Registry:
    """The registry's states of the codes a chunk names, in the order written, and the
    lengths of every registered code (for `medins_setl_id` prefixes)."""

    states: dict[str, list[State]] = field(default_factory=dict)
    lengths: tuple[int, ...] = ()


def place(r: Record, registry: Registry, file_code: str | None = None) -> Record | LedgerError:
    """The record with its institution's code, state, level, kind of care and area, or
    why it has none."""
    try:
        return _place(r, registry, file_code)
    except LedgerError as e:
        return e


def _place(r: Record, registry: Registry, file_code: str | None) -> Record:
    code = r.fixmedins_code or file_code
    if code is None:
        code = by_prefix(_text(r.view.get("medins_setl_id")), registry.states.keys(), registry.lengths)
    given = r.claim.get("hosp_lv")
    area = _area(r)
    if code is None:
        if given is not None:
            return r._replace(treatment_area=area)
        raise ValidationError(
            "fixmedins_code",
            _(
                "the record names no institution and gives no level: name it for the file (--institution CODE), or register the institution whose code begins its medins_setl_id (ledger institution import)"
            ),
        )
    states = registry.states.get(code)
    if not states:
        if given is not None:  # a register of institutions is not needed where records give levels
            return r._replace(fixmedins_code=code, treatment_area=area)
        raise NotFound(
            _(
                "fixmedins_code: institution {code} is not in the registry (ledger institution import), and the record gives no level (dedc_hosp_lv, hosp_lv)"
            ).format(code=code)
        )
    day = r.setl_time.date()
    # no state yet on the day: the first, which is not designated on it (services/claims.py says so)
    state = state_on(states, day) or min(states, key=lambda s: s.begndate)
    # the record's dedc_hosp_lv is kept; else the registry's level, which knows better than
    # the level of the grade the record gives (a 二级 hospital may be held to level 1)
    level = (given if own_level(r) else None) or state.level or given
    # no level anywhere: the claim's rules say whether they need one (a pharmacy purchase
    # that is not pooled does not), naming hosp_lv if so
    claim = r.claim | {"hosp_lv": level} if level is not None else dict(r.claim)
    if state.fixmedins_type == PHARMACY:
        claim["med_type"] = AT_A_PHARMACY.get(claim["med_type"], claim["med_type"])
    parsed = r.parsed
    if parsed is not None and (parsed.hosp_lv, parsed.med_type) != (level, claim["med_type"]):
        parsed = parsed._replace(hosp_lv=level, med_type=claim["med_type"])
    return r._replace(
        claim=claim,
        parsed=parsed,
        fixmedins_code=code,
        institution=state,
        treatment_area=area or state.region,
    )


def own_level(r: Record) -> bool:
    """Whether the record gives its deductible level itself (dedc_hosp_lv 1, 2 or 3)."""
    return _text(r.view.get("dedc_hosp_lv")) in HOSP_LEVELS


def _text(v: object) -> str | None:
    return v.strip() or None if isinstance(v, str) else None


def _area(r: Record) -> str | None:
    """The record's area of treatment (就医地医保区划, mdtrtarea_admvs), if it gives one."""
    v = r.view.get("mdtrtarea_admvs")
    t = str(v).strip() if isinstance(v, (str, int)) and not isinstance(v, bool) else ""
    if not t:
        return None
    pooling_area(t, "mdtrtarea_admvs")  # refuses what is no region code
    return t


def designation(book: PolicyBook, region: str, day: date, state: State) -> str | None:
    """A claim on `day` at the institution whose registry state is `state`: None where it
    is designated that day; else, as the patient's region's `institution.undesignated`
    says, a warning to post it with, or the refusal (a missing parameter names itself)."""
    if state.designated_on(day):
        return None
    if day < state.begndate:
        why = _("designated only from {begndate}").format(begndate=state.begndate)
    else:
        why = _("its designation ended on {enddate}").format(enddate=state.enddate)
    message = _("fixmedins_code: institution {code} ({name}) is not designated on {day}: {why}").format(
        code=state.fixmedins_code, name=state.fixmedins_name, day=day, why=why
    )
    if book.get(region, day, "institution.undesignated").value == "refuse":
        raise Conflict(message)
    return message
