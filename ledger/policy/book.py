"""Resolving a parameter for a region and a date across policy files.

A value stays in force until a later file for the same pooling area supersedes it: the
files effective on or before the date are searched newest first, and the first that gives
the parameter wins. So a 2025 rule still applies in 2026 unless a 2026 file replaces it;
using it past its file's `review_by` date yields a warning, never silence.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources

from ..errors import MissingParameter, ValidationError
from ..i18n import _
from .parameters import PARAMETERS
from .schema import PolicyFile, Source, parse_policy_text, typed_value


def pooling_area(region: str, field: str = "region") -> str:
    """A district code such as 220702 belongs to its city's pooling area 220700 (统筹区).
    A code that is not 6 digits is refused, naming `field`, the input that gave it."""
    if len(region) != 6 or not (region.isascii() and region.isdigit()):
        raise ValidationError(
            field, _("a region is a 6-digit administrative code (got {region!r})").format(region=region[:40])
        )
    return region[:4] + "00"


@dataclass(frozen=True)
class PolicyDocument:
    """A parsed policy file and where it came from (`seed` or a loaded file's id)."""

    policy: PolicyFile
    origin: str
    name: str
    order: int = 0  # among files of one region and date, the higher (later loaded) wins


@dataclass(frozen=True)
class Resolved:
    name: str
    value: object  # typed: fen for money, Decimal for ratios, ...
    raw: object  # as written in the file
    source_id: str
    source: Source
    quote: str | None
    document: PolicyDocument
    on: date

    @property
    def past_review(self) -> bool:
        review_by = self.document.policy.review_by
        return review_by is not None and self.on > review_by

    @property
    def warning(self) -> str | None:
        if not self.past_review:
            return None
        p = self.document.policy
        return _(
            "policy parameter '{name}' for region {region} comes from {name2} (effective {effective_from}), used on {on} past its review date {review_by}"
        ).format(
            name=self.name,
            region=p.region,
            name2=self.document.name,
            effective_from=p.effective_from,
            on=self.on,
            review_by=p.review_by,
        )


def review_warning(document: PolicyDocument, on: date, *, dated: bool = True) -> str | None:
    """The warning for using a file's values on `on`, past its review date, or None.
    `dated=False` leaves the day out, so that a run using the file on many days (a year's
    claims) says it once per file, not once per day."""
    p = document.policy
    if p.review_by is None or on <= p.review_by:
        return None
    when = _("is used on {on}, past").format(on=on) if dated else _("is used past")
    return _(
        "policy file {name} (region {region}, effective {effective_from}) {when} its review date {review_by}"
    ).format(name=document.name, region=p.region, effective_from=p.effective_from, when=when, review_by=p.review_by)


@dataclass
class PolicyBook:
    documents: Sequence[PolicyDocument] = field(default_factory=tuple)
    _in_force_files: dict = field(default_factory=dict, repr=False, compare=False)
    _epochs: dict = field(default_factory=dict, repr=False, compare=False)
    # What the claim checks worked out with this book (rules.eligibility), kept as long as
    # the book is: the services keep a book until a new file is loaded.
    worked_out: dict = field(default_factory=dict, repr=False, compare=False)

    def _candidates(self, region: str, on: date) -> tuple[PolicyDocument, ...]:
        """The files in force for the region on the day, newest first; worked out once per
        region and day (a claim feed asks for the same few days again and again)."""
        key = (region, on)
        found = self._in_force_files.get(key)
        if found is None:
            area = pooling_area(region)
            docs = [d for d in self.documents if d.policy.region == area and d.policy.effective_from <= on]
            found = self._in_force_files[key] = tuple(
                sorted(docs, key=lambda d: (d.policy.effective_from, d.order), reverse=True)
            )
        return found

    def epoch(self, region: str, on: date) -> tuple:
        """A key equal for two dates exactly when the same files are in force for the region:
        every value resolves the same way on both (only review warnings depend on the day)."""
        key = (region, on)
        found = self._epochs.get(key)
        if found is None:  # asked for every claim of a feed, about the same few days
            found = self._epochs[key] = (pooling_area(region), tuple(id(d) for d in self._candidates(region, on)))
        return found

    def get(self, region: str, on: date, name: str) -> Resolved:
        """The value in force; MissingParameter names region, date and parameter if none."""
        if name not in PARAMETERS:
            raise KeyError(f"unknown policy parameter {name!r}")  # a programming error
        for doc in self._candidates(region, on):
            entry = doc.policy.parameters.get(name)
            if entry is not None:
                return _resolved(doc, name, on)
        raise MissingParameter(pooling_area(region), on, name)

    def find(self, region: str, on: date, name: str) -> Resolved | None:
        """The value in force, or None where no file gives it: for the parameters whose
        absence is itself a rule (no such limit in this area)."""
        try:
            return self.get(region, on, name)
        except MissingParameter:
            return None

    def in_force(self, region: str, on: date) -> dict[str, Resolved]:
        """Every parameter some file gives for this region on this date, by name."""
        found: dict[str, Resolved] = {}
        for doc in self._candidates(region, on):
            for name in doc.policy.parameters:
                found.setdefault(name, _resolved(doc, name, on))
        return dict(sorted(found.items()))


def _resolved(doc: PolicyDocument, name: str, on: date) -> Resolved:
    entry = doc.policy.parameters[name]
    return Resolved(
        name=name,
        value=typed_value(name, entry.value),
        raw=entry.value,
        source_id=entry.source,
        source=doc.policy.sources[entry.source],
        quote=entry.quote,
        document=doc,
        on=on,
    )


@cache
def seed_documents() -> tuple[PolicyDocument, ...]:
    """The policy files shipped in the package (ledger/policy/seed/*.toml), parsed once."""
    docs = []
    for f in sorted(resources.files(__package__).joinpath("seed").iterdir(), key=lambda f: f.name):
        if f.name.endswith(".toml"):
            name = f"seed/{f.name}"
            docs.append(PolicyDocument(parse_policy_text(f.read_text(encoding="utf-8"), name), "seed", name))
    return tuple(docs)


ILLUSTRATIVE_EXAMPLE = "220700-2025-illustrative.toml"


def example_text(name: str = ILLUSTRATIVE_EXAMPLE) -> str:
    """An illustrative operator file shipped for the demo, the tour and the benchmarks
    (examples/ in the repository, installed as ledger.examples; see its header)."""
    return resources.files("ledger.examples").joinpath(name).read_text(encoding="utf-8")
