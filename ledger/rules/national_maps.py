"""How a province's platform records are read as the national platform's: its spellings of
the fields and its own med_type codes, mapped by the policy files (national.field_map,
national.med_type_map) over the spellings shipped here (docs/national-records.md). Pure."""

from collections.abc import Mapping
from typing import NamedTuple

from ..errors import PolicyError
from ..i18n import _
from ..policy.schema import typed_value

# A province's spellings of the platform's fields, read as the national names: shipped
# because records were seen with them (tests/data/platform/SOURCES.md); an operator adds
# more with national.field_map, and a province's med_type codes with national.med_type_map.
FIELD_SPELLINGS = {
    "med_fee_sumamt": "medfee_sumamt",  # Hainan's 5261 settlement query
    "cert_no": "certno",  # Hainan's 5261
    "psnCash_pay": "psn_cash_pay",  # Hainan's 5261
    "prese_ifpay_amt": "preselfpay_amt",  # Hainan's 5261
    "cashPayamt": "cash_payamt",  # Chongqing's 2303/2305
}


class Maps(NamedTuple):
    """How a province's records are read as the platform's (docs/national-records.md)."""

    med_types: Mapping[str, str]  # a province's med_type code -> the national code it is read as
    fields: Mapping[str, str]  # a province's spelling of a field -> its national name


DEFAULT_MAPS = Maps({}, FIELD_SPELLINGS)


def maps_of(book) -> Maps:
    """The maps the policy files give (national.med_type_map, national.field_map) over the
    shipped spellings, whatever the files' day: codes are the platform's, and a bureau
    reads one platform's. Of two files of a region mapping one code, the later effective
    (or, the same day, the later loaded) wins; two regions mapping one code two ways are
    refused, naming both files, rather than one region's records read by the other's map."""
    med: dict[str, str] = {}
    fields = dict(FIELD_SPELLINGS)
    said: dict[tuple[str, str], tuple[str, str]] = {}  # (parameter, code) -> (region, file)
    for doc in sorted(book.documents, key=lambda d: (d.policy.effective_from, d.order)):
        for name, into in (("national.med_type_map", med), ("national.field_map", fields)):
            if (entry := doc.policy.parameters.get(name)) is None:
                continue
            for code, national in typed_value(name, entry.value).items():
                region, file = said.get((name, code), (doc.policy.region, doc.name))
                if region != doc.policy.region and into.get(code) != national:
                    raise PolicyError(
                        _(
                            "{name}: {file} (region {region}) maps {code} to {was}, {file2} (region {region2}) to {now}: one platform's codes are read one way"
                        ).format(
                            name=name,
                            file=file,
                            region=region,
                            code=code,
                            was=into[code],
                            file2=doc.name,
                            region2=doc.policy.region,
                            now=national,
                        )
                    )
                said[(name, code)] = (doc.policy.region, doc.name)
                into[code] = national
    return Maps(med, fields)


def respelled(raw: Mapping, spellings: Mapping[str, str]) -> Mapping:
    """`raw` with a province's spellings read as the national names (the national one wins
    where a record gives both); `raw` itself where it has none."""
    if not any(k in spellings for k in raw):
        return raw
    out = {}
    for k, v in raw.items():
        national = spellings.get(k, k)
        if national not in out or national == k:
            out[national] = v
    return out
