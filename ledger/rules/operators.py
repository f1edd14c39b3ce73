"""Who acts. Every write records its operator; the name must be one a record can hold."""

from ..errors import ValidationError
from ..i18n import _

MAX_LENGTH = 100  # the operator columns are VARCHAR(100)


def check_operator(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("operator", _("is required: every write records who made it"))
    if len(name) > MAX_LENGTH:
        raise ValidationError(
            "operator",
            _("is at most {max_length} characters (got {count})").format(max_length=MAX_LENGTH, count=len(name)),
        )
    if not name.isprintable():
        raise ValidationError("operator", _("must be printable (no control characters)"))
    return name
