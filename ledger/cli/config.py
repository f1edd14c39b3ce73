"""`ledger.toml`: the settings a bureau's desk keeps instead of typing them each time.

The first of these files that exists is read: `./ledger.toml` (the working folder), then
`ledger/ledger.toml` in the user's configuration folder (`$XDG_CONFIG_HOME`, by default
`~/.config`). `LEDGER_CONFIG` names a file instead. A value on the command line wins over
the environment (`LEDGER_DATABASE_URL`, `LEDGER_READ_DATABASE_URL`, `LEDGER_OPERATOR`,
`LEDGER_LANG`), and both over the file; `lang` in the file wins over the locale (LANG).
A file found in the working folder (named by nobody) that sets the database, the replica or
the operator says so on stderr, every run: a shared folder could choose them for a clerk.

    database = "postgresql://clerk@db.example/ledger"
    read_database = "postgresql://clerk@replica.example/ledger"
    operator = "王芳"
    lang = "zh"
"""

import os
import sys
from pathlib import Path

import click

from .. import i18n
from ..i18n import _
from . import language
from .context import warn

# key in the file -> the `ledger` option it sets
KEYS = {"database": "db_url", "read_database": "read_url", "operator": "operator", "lang": "lang"}
# What a file found in the working folder says it sets: where writes go, where reads come
# from, and in whose name the writes are recorded.
SAID = ("database", "read_database", "operator")


def config_path() -> tuple[Path, bool] | None:
    """The file to read and whether it was found in the working folder (not named by
    LEDGER_CONFIG, nor the user's own); None if there is none."""
    named = os.environ.get("LEDGER_CONFIG", "").strip()
    if named:
        return Path(named), False
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    user = base / "ledger" / "ledger.toml"
    here = Path("ledger.toml")
    if here.is_file():
        return here, not (user.is_file() and here.samefile(user))
    return (user, False) if user.is_file() else None


def default_map(args: list[str] | None = None) -> dict:
    """The `ledger` group's defaults from the file; a file that cannot be used is a usage
    error that names it and the key. `args`: the command line (sys.argv's), for the
    language of the warning a file found in the working folder gives."""
    found = config_path()
    if found is None:
        return {}
    path, here = found
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
    if here and any(k in data for k in SAID):
        _say_found_here(path, data, sys.argv[1:] if args is None else args)
    return settings


def _say_found_here(path: Path, data: dict, args: list[str]) -> None:
    """One line on stderr: what the file sets of SAID, a URL without its password. In the
    run's language, chosen before Click parses: by a --lang that leads the command line,
    LEDGER_LANG, the file's lang or the locale."""
    from ..db.engine import safe_url  # SQLAlchemy, only for a file that gives a URL

    said = [f"{k} = {data[k] if k == 'operator' else safe_url(data[k])}" for k in SAID if k in data]
    i18n.use(language.choose(args, os.environ, data.get("lang")))
    warn(
        _(
            "{path} sets {settings} for every command run in its folder that does not say otherwise: "
            "check that the file is yours (LEDGER_CONFIG names the file to read instead)"
        ).format(path=path.resolve(), settings=", ".join(said))
    )
