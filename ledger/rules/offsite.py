"""Off-site care (异地就医; docs/institutions.md): whether a claim's care was given outside
the patient's insured area, under which kind of registration (备案), and what that does to
the basic fund's ratio. Pure: the registrations come in, fetched by the claim service.

A claim is off-site when its area of treatment (the record's `mdtrtarea_admvs`, else its
institution's region) is in another pooling area than the patient's region. Its kind is the
registration in force that day (the latest beginning on or before it, a `cancelled` one
ending the one before) where it covers the place, else `unregistered`. A kind whose
`offsite.KIND.local_benefits` is true keeps the local ratios (Changchun's letter: a
long-term registration gets the city's own benefits); any other takes
`offsite.KIND.ratio_reduction` off the basic fund's ratio; a missing one names itself.
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from ..policy.book import pooling_area
from .dates import latest_from

UNREGISTERED = "unregistered"
CANCELLED = "cancelled"


class Registration(NamedTuple):
    """One registration, as the books hold it (models.OffsiteRegistration)."""

    kind: str  # codes.OFFSITE_KINDS
    begndate: date
    enddate: date | None
    area: str | None  # the registered place of treatment; None: anywhere


def covers(area: str | None, treated_in: str) -> bool:
    """Whether a registration for `area` covers care in `treated_in`: the same pooling area,
    or the province (220000) or the city (220100) that holds it."""
    if area is None:
        return True
    prefix = area[:2] if area.endswith("0000") else area[:4] if area.endswith("00") else area
    return treated_in.startswith(prefix)


def in_force(registrations: list[Registration], day: date) -> int | None:
    """The index of the registration in force on `day`: the latest beginning on or before
    it, of two the same day the later made; None where there is none, it has ended, or it is
    a cancellation. A new registration replaces the one before, wherever either is for."""
    found = latest_from(registrations, day)
    if found is None:
        return None
    r = registrations[found]
    return None if r.kind == CANCELLED or (r.enddate is not None and day > r.enddate) else found


def offsite_kind(region: str, treated_in: str | None, registrations: list[Registration], day: date) -> str | None:
    """None for care in the patient's own pooling area (or where the area is not known);
    else the kind of their registration in force that day where it covers the place, or
    `unregistered`."""
    if treated_in is None or pooling_area(treated_in) == pooling_area(region):
        return None
    n = in_force(registrations, day)
    if n is None or not covers(registrations[n].area, treated_in):
        return UNREGISTERED
    return registrations[n].kind


def offsite_basic(get, basic, kind: str | None):
    """The basic rule of an off-site claim of `kind` (`get` reads the patient's region's
    parameters on the service date, as rules_for's reader does)."""
    if kind is None or basic is None:
        return basic
    if kind != UNREGISTERED and get.optional(f"offsite.{kind}.local_benefits"):
        return basic
    cut = get(f"offsite.{kind}.ratio_reduction")
    return replace(basic, ratio=max(Decimal(0), basic.ratio - cut))
