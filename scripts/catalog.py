"""The Chinese catalog (ledger/locale/zh_CN/LC_MESSAGES/ledger.po and .mo), kept with Babel.

    python scripts/catalog.py            # extract, merge into ledger.po, compile ledger.mo
    python scripts/catalog.py --check    # exit 1 if a text is new, untranslated or stale

What the catalog keys (docs/cli.md, "Language"):
- every text the code marks with `_()`, `N_()` or `ngettext()` (Babel's Python extractor);
- every command's help and its options' help, read from the commands themselves (Click
  takes a command's help from its docstring, which no extractor sees as a call);
- Click's own texts (`Usage:`, `Missing option`), from the installed Click's source.

A new text is added untranslated, a text no longer in the code is dropped; `ledger.mo` is
compiled from the result. Translations are written into `ledger.po` by hand.
"""

import argparse
import importlib
import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

TOP = Path(__file__).resolve().parent.parent
PO = TOP / "ledger" / "locale" / "zh_CN" / "LC_MESSAGES" / "ledger.po"
MO = PO.with_suffix(".mo")
# problem(kind, table, row, message, ...): a verify problem said in the language in use
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "problem": (4,)}
# Texts Click translates that its source does not mark (`_(extra["required"])`).
CLICK_UNMARKED = ("required",)
# Fixed, so the files change only when a text does.
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


def template(with_click: bool = True) -> Catalog:
    """Every text the ledger says, keyed in English, with where each comes from; with
    `with_click`, the installed Click's texts too."""
    import click

    sys.path.insert(0, str(TOP))
    from ledger.cli import cli, language
    from ledger.cli.commands import COMMANDS

    t = Catalog(project="gongji-ledger", creation_date=STAMP, charset="utf-8")
    sources = [(TOP / "ledger", "ledger")] + ([(Path(click.__file__).parent, "click")] if with_click else [])
    for folder, prefix in sources:
        for filename, _lineno, message, _comments, _context in extract_from_dir(
            folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            if message and (message[0] if isinstance(message, tuple) else message):
                t.add(message, locations=[(f"{prefix}/{filename}", None)])
    for text in CLICK_UNMARKED:
        t.add(text, locations=[("click/core.py", None)])
    for module, attribute, short in COMMANDS.values():
        t.add(short, locations=[("ledger/cli/commands.py", None)])
        command = getattr(importlib.import_module(f"ledger.cli.{module}"), attribute)
        for text in language.texts(command):
            t.add(text, locations=[(f"ledger/cli/{module}.py", None)])
    for text in language.texts(cli):
        t.add(text, locations=[("ledger/cli/__init__.py", None)])
    from ledger.policy.parameters import PARAMETERS

    for p in PARAMETERS.values():  # each parameter's meaning, said by `policy check` and the template
        t.add(p.description, locations=[("ledger/policy/parameters.py", None)])
    return t


def merged(current: Catalog | None, keys: Catalog) -> Catalog:
    po = current or Catalog(locale="zh_CN", project="gongji-ledger", creation_date=STAMP, charset="utf-8")
    from_click = {m.id: [x for x in m.locations if x[0].startswith("click/")] for m in po if m.id}
    po.update(keys, no_fuzzy_matching=True, update_header_comment=False)
    po.revision_date = STAMP
    # Click's texts are kept whichever Click is installed: a release that drops one, or a
    # run without them (`template(with_click=False)`), must not drop its translation.
    for msgid, m in po.obsolete.items():
        if m.locations and all(path.startswith("click/") for path, _line in m.locations):
            po[msgid] = m
    po.obsolete.clear()
    for m in po:  # a text both say keeps Click's place beside the ledger's
        if m.id in from_click:
            m.locations = sorted(set(m.locations) | set(from_click[m.id]))
    return po


def po_text(po: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, po, width=0, sort_output=True, include_lineno=False, ignore_obsolete=True)
    return out.getvalue()


def mo_bytes(po: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, po)
    return out.getvalue()


def read() -> Catalog | None:
    if not PO.exists():
        return None
    with open(PO, "rb") as f:
        return read_po(f, locale="zh_CN")


def untranslated(po: Catalog) -> list[str]:
    return [
        m.id if isinstance(m.id, str) else m.id[0]
        for m in po
        if m.id and not (m.string and (isinstance(m.string, str) or all(m.string)))
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if the catalog is not complete")
    args = parser.parse_args()
    current = read()
    before = po_text(current) if current else b""
    # --check (and the test) compare the ledger's own texts only, whichever Click is
    # installed; a run that writes the catalog adds the installed Click's new texts.
    po = merged(read(), template(with_click=not args.check))
    text, todo = po_text(po), untranslated(po)
    if args.check:
        stale = text != before or mo_bytes(po) != (MO.read_bytes() if MO.exists() else b"")
        for m in todo:
            print(f"untranslated: {m!r}")
        if stale:
            print("ledger.po or ledger.mo is not what the code says: run python scripts/catalog.py")
        return 1 if todo or stale else 0
    PO.parent.mkdir(parents=True, exist_ok=True)
    PO.write_bytes(text)
    MO.write_bytes(mo_bytes(po))
    print(f"{PO.relative_to(TOP)}: {len(po)} texts, {len(todo)} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
