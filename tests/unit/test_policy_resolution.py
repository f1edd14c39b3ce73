from datetime import date

import pytest

from ledger.errors import MissingParameter
from ledger.policy.book import PolicyBook, PolicyDocument, seed_documents
from ledger.policy.schema import parse_policy_text
from tests.policy_text import policy_text

CAP = "employee.outpatient.annual_cap"


def book_with(*extra: tuple[str, int]) -> PolicyBook:
    docs = list(seed_documents())
    for i, (text, order) in enumerate(extra):
        docs.append(PolicyDocument(parse_policy_text(text), f"loaded#{i}", f"test{i}.toml", order=order))
    return PolicyBook(docs)


def test_a_2025_value_stays_in_force_in_2026_with_a_review_warning():
    r = PolicyBook(seed_documents()).get("220700", date(2026, 3, 1), CAP)
    assert r.value == 100000  # 1000.00 yuan, Songyuan 2025
    assert r.past_review
    assert "used on 2026-03-01 past its review date 2025-12-31" in r.warning


def test_no_warning_within_the_review_date():
    r = PolicyBook(seed_documents()).get("220700", date(2025, 12, 31), CAP)
    assert r.warning is None


def test_a_later_file_supersedes_from_its_effective_date_only():
    book = book_with((policy_text({CAP: '"1200.00"'}, effective_from="2026-01-01", review_by="2026-12-31"), 1))
    assert book.get("220700", date(2025, 12, 31), CAP).value == 100000
    assert book.get("220700", date(2026, 1, 1), CAP).value == 120000
    # parameters the new file does not give still come from the 2025 file
    assert book.get("220700", date(2026, 1, 1), "employee.outpatient.deductible.level2").value == 30000


def test_a_later_load_for_the_same_date_wins():
    book = book_with(
        (policy_text({CAP: '"1100.00"'}, effective_from="2025-01-01"), 1),
        (policy_text({CAP: '"1150.00"'}, effective_from="2025-01-01"), 2),
    )
    assert book.get("220700", date(2025, 5, 1), CAP).value == 115000


def test_a_district_resolves_to_its_city():
    assert PolicyBook(seed_documents()).get("220702", date(2025, 5, 1), CAP).value == 100000


def test_a_missing_parameter_names_region_date_and_parameter():
    with pytest.raises(MissingParameter) as e:
        PolicyBook(seed_documents()).get("220702", date(2025, 5, 1), "employee.chronic.ratio")
    assert "'employee.chronic.ratio' is not given for region 220700 on 2025-05-01" in str(e.value)


def test_nothing_is_in_force_before_the_first_file():
    with pytest.raises(MissingParameter, match="region 220700 on 2024-12-31"):
        PolicyBook(seed_documents()).get("220700", date(2024, 12, 31), CAP)
