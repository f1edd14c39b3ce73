"""The policy file format (TOML), validated by Pydantic. See docs/policy-files.md."""

import re
import tomllib
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from ..clock import is_zone
from ..errors import PolicyError, ValidationError
from ..i18n import _
from ..rules.money import parse_yuan
from .parameters import PARAMETERS, RELATIONS, Disease, Kind, Segment


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    title: str = Field(min_length=1)
    grade: Literal["S", "N", "B", "U", "D"]  # as in docs/rules.md: seed, national, secondary, unverified, design
    file: str | None = None
    url: str | None = None
    published: date | None = None


class Entry(_Strict):
    value: Any  # checked against the parameter's kind by typed_value()
    source: str = Field(min_length=1)
    quote: str | None = None  # the words of the source the value is read from
    note: str | None = None


class PolicyFile(_Strict):
    region: Annotated[str, Field(pattern=r"^[0-9]{6}$")]
    region_name: str
    title: str
    effective_from: date
    review_by: date | None = None
    sources: dict[str, Source] = Field(min_length=1)
    parameters: dict[str, Entry]

    @model_validator(mode="after")
    def _entries_are_known_typed_and_cited(self) -> "PolicyFile":
        problems = []
        for name, entry in self.parameters.items():
            try:
                if name not in PARAMETERS:
                    raise ValueError(_("unknown parameter (see docs/policy-files.md for the list)"))
                if entry.source not in self.sources:
                    raise ValueError(_("source '{source}' is not declared under [sources]").format(source=entry.source))
                typed_value(name, entry.value)
            except (ValueError, ValidationError) as e:
                problems.append(f"parameters.{name}: {e}")
        if self.review_by and self.review_by < self.effective_from:
            problems.append(_("review_by: is before effective_from"))
        if problems:
            raise ValueError("; ".join(problems))
        return self


def typed_value(name: str, raw: object):
    """Turn a file value into its typed form: fen for money, Decimal for ratios."""
    kind = PARAMETERS[name].kind
    if kind is Kind.MONEY:
        return _money(raw)
    if kind is Kind.RATIO:
        return _ratio(raw)
    if kind in (Kind.COUNT, Kind.YEAR):
        if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
            raise ValueError(_("expected a whole number ≥ 0 (got {raw!r})").format(raw=raw))
        return raw
    if kind is Kind.DATE:
        if not isinstance(raw, date):
            raise ValueError(_("expected a date like 2025-01-01, unquoted (got {raw!r})").format(raw=raw))
        return raw
    if kind is Kind.FLAG:
        if not isinstance(raw, bool):
            raise ValueError(_("expected true or false (got {raw!r})").format(raw=raw))
        return raw
    if kind is Kind.RELATIONS:
        if not isinstance(raw, list):
            raise ValueError(_("expected a list of relations (got {raw!r})").format(raw=raw))
        unknown = [r for r in raw if r not in RELATIONS]
        if unknown:
            raise ValueError(
                _("unknown relation(s) {unknown}; known: {relations}").format(
                    unknown=", ".join(unknown), relations=", ".join(RELATIONS)
                )
            )
        return tuple(raw)
    if kind is Kind.CHOICE:
        choices = PARAMETERS[name].choices
        if raw not in choices:
            raise ValueError(
                _("expected one of {c} (got {raw!r})").format(c=", ".join(repr(c) for c in choices), raw=raw)
            )
        return raw
    if kind is Kind.TIME:
        if not isinstance(raw, time) or raw.tzinfo is not None:
            raise ValueError(_("expected a local time like 22:00:00, unquoted (got {raw!r})").format(raw=raw))
        return raw
    if kind is Kind.ZONE:
        if not isinstance(raw, str) or not is_zone(raw):
            raise ValueError(_('expected an IANA time zone name like "Asia/Shanghai" (got {raw!r})').format(raw=raw))
        return raw
    if kind is Kind.MAP:
        return _map(raw, PARAMETERS[name].choices)
    if kind is Kind.DISEASES:
        return _diseases(raw)
    if kind is Kind.SEGMENTS:
        return _segments(raw)
    raise AssertionError(kind)  # pragma: no cover


_DISEASE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,29}$")


def _table_rows(raw: object, what: str, keys: set[str], required: set[str]) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        raise ValueError(_("expected a non-empty list of {what} tables (got {raw!r})").format(what=what, raw=raw))
    for i, row in enumerate(raw):
        if not isinstance(row, dict):
            raise ValueError(
                _("[{i}]: expected a table like {{{required} = ...}} (got {row!r})").format(
                    i=i, required=", ".join(sorted(required)), row=row
                )
            )
        unknown, missing = set(row) - keys, required - set(row)
        if unknown:
            raise ValueError(
                _("[{i}]: unknown key(s) {unknown}; known: {keys}").format(
                    i=i, unknown=", ".join(sorted(unknown)), keys=", ".join(sorted(keys))
                )
            )
        if missing:
            raise ValueError(_("[{i}]: missing {missing}").format(i=i, missing=", ".join(sorted(missing))))
    return raw


def _money(raw: object) -> int:
    if not isinstance(raw, str):
        raise ValueError(_('money is written as a string in yuan, like "410.00" (got {raw!r})').format(raw=raw))
    if raw.strip().startswith("-"):
        raise ValueError(_("amount must not be negative (got {raw})").format(raw=raw))
    try:
        return parse_yuan(raw, "value")
    except ValidationError as e:
        raise ValueError(str(e).removeprefix("value: ")) from None


def _ratio(raw: object) -> Decimal:
    if not isinstance(raw, str) or not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", raw.strip()):
        raise ValueError(_('a ratio is written as a decimal string, like "0.55" (got {raw!r})').format(raw=raw))
    r = Decimal(raw.strip())
    if not Decimal(0) <= r <= Decimal(1):
        raise ValueError(_("a ratio must be between 0 and 1 (got {raw})").format(raw=raw))
    return r


_MAP_KEY = re.compile(r"^[A-Za-z0-9_]{1,40}$")


def _map(raw: object, choices: tuple[str, ...]) -> dict[str, str]:
    """A table of codes: each key and value letters, digits and _, each value among `choices` where given."""
    if not isinstance(raw, dict) or not raw:
        raise ValueError(_('expected a table, e.g. {{ "2101" = "21" }} (got {raw!r})').format(raw=raw))
    for k, v in raw.items():
        if not isinstance(v, str) or not _MAP_KEY.match(k) or not _MAP_KEY.match(v):
            raise ValueError(_("{k}: a code is letters, digits and _, quoted (got {v!r})").format(k=k, v=v))
        if choices and v not in choices:
            raise ValueError(_("{k}: {v} is not one of {choices}").format(k=k, v=v, choices=", ".join(choices)))
    return dict(raw)


def _cell(parse, raw: object, where: str):
    try:
        return parse(raw)
    except ValueError as e:
        raise ValueError(f"{where}: {e}") from None


def _diseases(raw: object) -> tuple[Disease, ...]:
    rows = _table_rows(raw, "disease", {"code", "name", "annual_cap", "ratio"}, {"code", "name"})
    out, seen = [], set()
    for i, row in enumerate(rows):
        code = row["code"]
        if not isinstance(code, str) or not _DISEASE_CODE.match(code):
            raise ValueError(
                _("[{i}].code: a disease code is letters, digits, '.' or '-', at most 30 (got {code!r})").format(
                    i=i, code=code
                )
            )
        if code in seen:
            raise ValueError(_("[{i}].code: {code} is listed twice").format(i=i, code=code))
        seen.add(code)
        cap = _cell(_money, row["annual_cap"], f"[{i}].annual_cap") if "annual_cap" in row else None
        ratio = _cell(_ratio, row["ratio"], f"[{i}].ratio") if "ratio" in row else None
        out.append(Disease(code, str(row["name"]), cap, ratio))
    return tuple(out)


def _segments(raw: object) -> tuple[Segment, ...]:
    rows = _table_rows(raw, "segment", {"from", "ratio"}, {"from", "ratio"})
    out: list[Segment] = []
    for i, row in enumerate(rows):
        seg = Segment(_cell(_money, row["from"], f"[{i}].from"), _cell(_ratio, row["ratio"], f"[{i}].ratio"))
        if out and seg.start <= out[-1].start:
            raise ValueError(
                _("[{i}].from: bands must ascend (this one starts at or below the one before)").format(i=i)
            )
        out.append(seg)
    return tuple(out)


def parse_policy_text(text: str, origin: str = "<policy>") -> PolicyFile:
    """Parse and validate; every problem is reported at once, each naming its key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise PolicyError(_("{origin}: not valid TOML: {e}").format(origin=origin, e=e)) from None
    try:
        return PolicyFile.model_validate(data)
    except PydanticValidationError as e:
        raise PolicyError(f"{origin}: " + "; ".join(_describe(err) for err in e.errors())) from None


def _describe(err: dict) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return _("{loc}: unknown key").format(loc=loc)
    if err["type"] == "missing":
        return f"{loc}: missing (required)"
    msg = err["msg"].removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg
