"""Who acts. Every write records its operator; the name must be one a record can hold."""

from ..errors import ValidationError

MAX_LENGTH = 100  # the operator columns are VARCHAR(100)


def check_operator(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("operator", "is required: every write records who made it")
    if len(name) > MAX_LENGTH:
        raise ValidationError("operator", f"is at most {MAX_LENGTH} characters (got {len(name)})")
    if not name.isprintable():
        raise ValidationError("operator", "must be printable (no control characters)")
    return name
