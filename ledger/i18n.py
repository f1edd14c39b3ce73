"""The language the ledger speaks: English, or Chinese (简体中文) from a gettext catalog.

A text is written in English in the code, as the catalog's key, and translated where it is
said: `_("person {psn_no} is not registered").format(psn_no=...)`. The catalog is
`ledger/locale/zh_CN/LC_MESSAGES/ledger.po`, compiled into `ledger.mo` beside it (`python
scripts/catalog.py` extracts, merges and compiles it with Babel; docs/cli.md, "Language").

The language is one for the process: the `ledger` command picks it at start (`--lang`,
LEDGER_LANG, ledger.toml, the locale); a script that calls the services picks it with
`use("zh")`, and without that gets English. A text the catalog lacks is said in English and
noted (`missing()`), which is how the tests find a text nobody translated.
"""

import gettext
from collections.abc import Mapping
from pathlib import Path

LANGUAGES = ("en", "zh")
DOMAIN = "ledger"
LOCALE_DIR = Path(__file__).parent / "locale"
# The catalog of each language but English, whose texts are the keys themselves.
CATALOGS = {"zh": "zh_CN"}


class _NotTranslated(gettext.NullTranslations):
    """The catalog's fallback: the text as written, noted as missing."""

    def __init__(self, missing: set[str]):
        super().__init__()
        self._missing = missing

    def gettext(self, message):
        self._missing.add(message)
        return message

    def ngettext(self, msgid1, msgid2, n):
        self._missing.add(msgid1)
        return msgid1 if n == 1 else msgid2


_missing: set[str] = set()
_language = "en"
_translation: gettext.NullTranslations = gettext.NullTranslations()
_catalogs: dict[str, gettext.NullTranslations] = {}


def use(language: str) -> None:
    """Speak `language` ("en" or "zh") from now on, in this process."""
    global _language, _translation
    language = normalize(language)
    if language is None:
        raise ValueError(f"unknown language; the languages are {', '.join(LANGUAGES)}")
    if language != "en" and language not in _catalogs:
        path = LOCALE_DIR / CATALOGS[language] / "LC_MESSAGES" / f"{DOMAIN}.mo"
        with open(path, "rb") as f:
            catalog = gettext.GNUTranslations(f)
        catalog.add_fallback(_NotTranslated(_missing))
        _catalogs[language] = catalog
    _language = language
    _translation = _catalogs.get(language, gettext.NullTranslations())


def language() -> str:
    """The language in use: "en" or "zh"."""
    return _language


def _(message: str) -> str:
    """`message` in the language in use."""
    return _translation.gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a text for the catalog that is translated later, where it is shown (a table's
    heading kept in a constant, say)."""
    return message


def missing() -> set[str]:
    """The texts asked for in a language other than English that its catalog lacks."""
    return set(_missing)


def normalize(name: str | None) -> str | None:
    """ "zh", "zh_CN", "zh-CN", "zh_CN.UTF-8", "中文" -> "zh"; "en", "en_US", "C", "POSIX" ->
    "en"; anything else -> None."""
    if not name:
        return None
    name = name.strip().split(".")[0].split("@")[0].replace("-", "_").lower()
    if name in ("zh", "中文", "简体中文") or name.startswith("zh_"):
        return "zh"
    if name in ("en", "c", "posix") or name.startswith("en_"):
        return "en"
    return None


def from_locale(env: Mapping[str, str]) -> str:
    """The language a POSIX locale asks for, as gettext reads it: LANGUAGE (a list, the
    first of ours in it), LC_ALL, LC_MESSAGES, LANG; English when none is ours."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "").strip()
        if not value:
            continue
        for name in value.split(":") if var == "LANGUAGE" else [value]:
            if normalize(name):
                return normalize(name)
        if var != "LANGUAGE":  # a locale that is set but not ours: English
            return "en"
    return "en"
