"""Small policy files for tests, built as text the way an operator would write them."""

HEADER = """
region = "{region}"
region_name = "Test"
title = "test policy"
effective_from = {effective_from}
{review}

[sources.doc]
title = "a test document"
grade = "D"
"""


def policy_text(
    params: dict[str, str], region: str = "220700", effective_from: str = "2026-01-01", review_by: str | None = None
) -> str:
    """params: name -> the TOML literal of its value, e.g. {"employee.outpatient.annual_cap": '"1200.00"'}."""
    text = HEADER.format(
        region=region, effective_from=effective_from, review=f"review_by = {review_by}" if review_by else ""
    )
    for name, literal in params.items():
        text += f'\n[parameters."{name}"]\nvalue = {literal}\nsource = "doc"\n'
    return text
