"""The policy file format (TOML), validated by Pydantic. See docs/policy-files.md."""

import re
import tomllib
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from ..errors import PolicyError, ValidationError
from ..money import parse_yuan
from .parameters import PARAMETERS, RELATIONS, Kind


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    title: str = Field(min_length=1)
    grade: Literal["S", "N", "U", "D"]  # as in RULES.md: seed, national, unverified, design
    file: str | None = None
    url: str | None = None
    published: date | None = None


class Entry(_Strict):
    value: Any  # checked against the parameter's kind by typed_value()
    source: str = Field(min_length=1)
    quote: str | None = None  # the words of the source the value is read from
    note: str | None = None


class PolicyFile(_Strict):
    region: Annotated[str, Field(pattern=r"^\d{6}$")]
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
                    raise ValueError("unknown parameter (see docs/policy-files.md for the list)")
                if entry.source not in self.sources:
                    raise ValueError(f"source '{entry.source}' is not declared under [sources]")
                typed_value(name, entry.value)
            except (ValueError, ValidationError) as e:
                problems.append(f"parameters.{name}: {e}")
        if self.review_by and self.review_by < self.effective_from:
            problems.append("review_by: is before effective_from")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def typed_value(name: str, raw: object):
    """Turn a file value into its typed form: fen for money, Decimal for ratios."""
    kind = PARAMETERS[name].kind
    if kind is Kind.MONEY:
        if not isinstance(raw, str):
            raise ValueError(f"money is written as a string in yuan, like \"410.00\" (got {raw!r})")
        if raw.strip().startswith("-"):
            raise ValueError(f"amount must not be negative (got {raw})")
        return parse_yuan(raw, "value")
    if kind is Kind.RATIO:
        if not isinstance(raw, str) or not re.fullmatch(r"-?\d+(\.\d+)?", raw.strip()):
            raise ValueError(f"a ratio is written as a decimal string, like \"0.55\" (got {raw!r})")
        r = Decimal(raw.strip())
        if not Decimal(0) <= r <= Decimal(1):
            raise ValueError(f"a ratio must be between 0 and 1 (got {raw})")
        return r
    if kind in (Kind.COUNT, Kind.YEAR):
        if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
            raise ValueError(f"expected a whole number ≥ 0 (got {raw!r})")
        return raw
    if kind is Kind.DATE:
        if not isinstance(raw, date):
            raise ValueError(f"expected a date like 2025-01-01, unquoted (got {raw!r})")
        return raw
    if kind is Kind.FLAG:
        if not isinstance(raw, bool):
            raise ValueError(f"expected true or false (got {raw!r})")
        return raw
    if kind is Kind.RELATIONS:
        if not isinstance(raw, list):
            raise ValueError(f"expected a list of relations (got {raw!r})")
        unknown = [r for r in raw if r not in RELATIONS]
        if unknown:
            raise ValueError(f"unknown relation(s) {', '.join(unknown)}; known: {', '.join(RELATIONS)}")
        return tuple(raw)
    raise AssertionError(kind)  # pragma: no cover


def parse_policy_text(text: str, origin: str = "<policy>") -> PolicyFile:
    """Parse and validate; every problem is reported at once, each naming its key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise PolicyError(f"{origin}: not valid TOML: {e}") from None
    try:
        return PolicyFile.model_validate(data)
    except PydanticValidationError as e:
        raise PolicyError(f"{origin}: " + "; ".join(_describe(err) for err in e.errors())) from None


def _describe(err: dict) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"{loc}: unknown key"
    if err["type"] == "missing":
        return f"{loc}: missing (required)"
    msg = err["msg"].removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg

