"""`ledger.toml`: the settings a bureau's desk keeps instead of typing them each time.

The first of these files that exists is read: `./ledger.toml` (the working folder), then
`ledger/ledger.toml` in the user's configuration folder (`$XDG_CONFIG_HOME`, by default
`~/.config`). `LEDGER_CONFIG` names a file instead. A value on the command line wins over
the environment (`LEDGER_DATABASE_URL`, `LEDGER_READ_DATABASE_URL`, `LEDGER_OPERATOR`,
`LEDGER_LANG`), and both over the file; `lang` in the file wins over the locale (LANG).

    database = "postgresql://clerk@db.example/ledger"
    read_database = "postgresql://clerk@replica.example/ledger"
    operator = "王芳"
    lang = "zh"
"""

import os
from pathlib import Path

import click

from ..i18n import _
from . import language

# key in the file -> the `ledger` option it sets
KEYS = {"database": "db_url", "read_database": "read_url", "operator": "operator", "lang": "lang"}


def config_path() -> Path | None:
    """The file to read, or None if there is none."""
    named = os.environ.get("LEDGER_CONFIG", "").strip()
    if named:
        return Path(named)
    here = Path("ledger.toml")
    if here.is_file():
        return here
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    user = base / "ledger" / "ledger.toml"
    return user if user.is_file() else None


def default_map() -> dict:
    """The `ledger` group's defaults from the file; a file that cannot be used is a usage
    error that names it and the key."""
    path = config_path()
    if path is None:
        return {}
    import tomllib  # only when there is a file: most runs have none

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise click.UsageError(_("LEDGER_CONFIG: {path} does not exist").format(path=path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as e:
        raise click.UsageError(_("{path}: not a TOML file the ledger can read ({e})").format(path=path, e=e)) from None
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise click.UsageError(
            _("{path}: unknown key(s) {unknown}; the keys are {keys}").format(
                path=path, unknown=", ".join(unknown), keys=", ".join(KEYS)
            )
        )
    settings = {}
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise click.UsageError(_("{path}: {key} must be a non-empty string").format(path=path, key=key))
        settings[KEYS[key]] = value
    # Checked here, not left to the option: LEDGER_LANG or --lang would hide it otherwise,
    # and a file is refused whole, whatever its key, as the unknown key above is.
    if "lang" in data and (why := language.refusal(data["lang"])) is not None:
        raise click.UsageError(_("{path}: {key}: {why}").format(path=path, key="lang", why=why))
    return settings
