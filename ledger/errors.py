from .i18n import _

"""Domain errors. Each carries one message a bureau operator can act on."""


class LedgerError(Exception):
    """Base of every error the CLI turns into one line on stderr and a non-zero exit:
    `exit_code` (docs/cli.md, "Exit codes"), 1 unless a subclass says otherwise."""

    exit_code = 1


class ValidationError(LedgerError):
    """Input is malformed; the message names the field and what is wrong."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


class NotFound(LedgerError):
    """A person, account or file the command refers to does not exist."""


class Conflict(LedgerError):
    """The command would contradict what is already recorded (duplicate person, ...)."""


class PolicyError(LedgerError):
    """A policy file is invalid, or a parameter a computation needs is not given."""


class MissingParameter(PolicyError):
    def __init__(self, region: str, on: object, name: str):
        self.region, self.on, self.name = region, on, name
        super().__init__(
            _(
                "policy parameter '{name}' is not given for region {region} on {on}: load a policy file that sets it (see docs/policy-files.md)"
            ).format(name=name, region=region, on=on)
        )


class ChecksFailed(LedgerError):
    """`ledger verify` found violations of the books (exit 3)."""

    exit_code = 3


class Unavailable(LedgerError):
    """The database cannot be reached, or is not at the schema this ledger needs (exit 4)."""

    exit_code = 4
