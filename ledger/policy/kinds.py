"""What a policy parameter is: the kind of its value, and what it means when no file gives
it. The parameters themselves are listed in parameters.py."""

from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    MONEY = "money"  # yuan as a decimal string, ≥ 0, at most two decimals -> int fen
    RATIO = "ratio"  # decimal string in [0, 1] -> Decimal
    COUNT = "count"  # integer ≥ 0
    YEAR = "year"  # integer calendar year
    DATE = "date"  # TOML date
    FLAG = "flag"  # true / false
    RELATIONS = "relations"  # list of relation names (see RELATIONS)
    DISEASES = "diseases"  # list of {code, name, annual_cap?, ratio?} -> tuple[Disease]
    SEGMENTS = "segments"  # list of {from, ratio}, ascending -> tuple[Segment]
    CHOICE = "choice"  # one of the parameter's `choices`, a string
    TIME = "time"  # TOML local time, like 22:00:00 -> datetime.time
    ZONE = "zone"  # an IANA time zone name, like "Asia/Shanghai" -> str (zoneinfo knows it)
    MAP = "map"  # a table of codes, like { "2101" = "21" } -> dict[str, str] (values among `choices`, if any)


class Need(str, Enum):
    """What it means when no file gives a parameter."""

    REQUIRED = "required"  # a computation that uses it fails, naming it, until a file gives it
    OPTIONAL = "optional"  # unset is itself a rule: no such limit, cap or item
    REFERENCE = "reference"  # a figure kept to judge plausibility; no computation uses it


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: Kind
    description: str
    choices: tuple[str, ...] = ()  # for Kind.CHOICE, and the values a Kind.MAP may give

    @property
    def need(self) -> Need:
        from .parameters import NOT_COMPUTED, OPTIONAL  # the lists of every parameter, which are made of these

        if self.name in OPTIONAL:
            return Need.OPTIONAL
        if (
            self.name.startswith(("reference.", "care.", "chronic.annual_cap."))
            or self.name.endswith(".disease_count")
            or self.name in NOT_COMPUTED
        ):
            return Need.REFERENCE
        return Need.REQUIRED
