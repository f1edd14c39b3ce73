"""The command's language: which one (`--lang`, LEDGER_LANG, ledger.toml, the locale), and
its help in it, laid out by the columns a terminal gives each character.

Click builds a command's help from texts fixed when its module is imported, before any
option is read. So the language is chosen from the command line before Click parses it
(`choose`), and each command's help and options are set to their translation when the
command is about to be used (`localize`), from the English kept as the catalog's key.
Click's own texts ("Usage:", "Missing option") it looks up with gettext when it says them;
they are routed to the ledger's catalog (`_route_click`).
"""

import gettext
import inspect
from collections.abc import Iterator, Mapping

import click

from .. import i18n
from ..i18n import _
from ..render import display

ENV = "LEDGER_LANG"


def choose(args: list[str], env: Mapping[str, str], setting: str | None, valued: frozenset[str] = frozenset()) -> str:
    """The language of this run: `--lang` on the command line (before the command's name),
    else LEDGER_LANG, else `lang` in ledger.toml, else the locale (LANGUAGE, LC_ALL,
    LC_MESSAGES, LANG); English when none names one of ours. A name that is not a language
    of ours is left to the option to refuse (in English, the language it could not change to)."""
    i = 0
    while i < len(args) and args[i] != "--" and args[i].startswith("-"):
        a = args[i]
        if a == "--lang" and i + 1 < len(args):
            return i18n.normalize(args[i + 1]) or "en"
        if a.startswith("--lang="):
            return i18n.normalize(a.partition("=")[2]) or "en"
        i += 2 if a in valued else 1  # `valued`: the options before the command that take a value
    for named in (env.get(ENV), setting):
        if named and named.strip():
            return i18n.normalize(named) or "en"
    return i18n.from_locale(env)


def refusal(value: str) -> str | None:
    """Why `value` names no language of the ledger, or None where it names one: what
    `--lang`, LEDGER_LANG and `lang` in ledger.toml say of a name `choose` cannot use."""
    if i18n.normalize(value):
        return None
    return _("{value!r} is not a language of the ledger: use zh or en").format(value=value)


def check(_ctx, _param, value: str | None) -> str | None:
    """The `--lang` option: a name `choose` understood, or a usage error."""
    if not value:
        return None
    if (why := refusal(value)) is not None:
        raise click.BadParameter(why)
    return i18n.normalize(value)


def install(language: str) -> None:
    i18n.use(language)
    _route_click()


_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils")


def _route_click() -> None:
    """Click says its own texts through `gettext.gettext`, bound in each of its modules at
    import: those bindings are pointed at the ledger's catalog, where Click's texts are
    translated too. A module whose binding is not the standard one is left alone."""
    import importlib

    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if getattr(module, "_", None) is gettext.gettext:
            module._ = i18n._
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = i18n.ngettext


def localize(command: click.Command) -> click.Command:
    """`command` (and the commands of a group that holds them) with its help and its
    options' help in the language in use. The English is kept on the command, so a later
    run in the other language (a test, say) translates from it again."""
    kept = command.__dict__.get("_english")
    if kept is None:
        kept = command._english = (command.help, command.short_help)
        for p in command.params:
            p._english = getattr(p, "help", None)
    help_, short = kept
    command.help = _(inspect.cleandoc(help_)) if help_ else help_
    command.short_help = _(short) if short else _short(command.help)
    for p in command.params:
        if getattr(p, "_english", None):
            p.help = _(p._english)
    command.context_class = Context
    # Click makes the --help option once, with its help said in the language of that
    # moment (8.2 and later keep it here): made again in this one.
    if "_help_option" in command.__dict__:
        command._help_option = None
    for sub in getattr(command, "commands", {}).values():
        localize(sub)
    return command


def _short(help_: str | None) -> str | None:
    """In Chinese, a command's short help is its help's first sentence (up to 。): Click's
    own shortening looks for an English full stop and counts characters, not columns."""
    if not help_ or i18n.language() == "en":
        return None
    first = help_.split("\n\n")[0].replace("\n", "")
    head, stop, _rest = first.partition("。")
    return head + stop


def texts(command: click.Command) -> Iterator[str]:
    """Every help text of `command` and the commands under it, as the catalog keys them."""
    help_, short = command.__dict__.get("_english") or (command.help, command.short_help)
    if help_:
        yield inspect.cleandoc(help_)
    if short:
        yield short
    for p in command.params:
        text = getattr(p, "_english", None) or getattr(p, "help", None)
        if text:
            yield text
    for sub in getattr(command, "commands", {}).values():
        yield from texts(sub)


class Formatter(click.HelpFormatter):
    """Click's help layout, measured in terminal columns (a Chinese character takes two)
    and wrapped between Chinese characters as well as at spaces; a paragraph after a line
    holding only \\b is kept as written, as Click keeps it."""

    def write_heading(self, heading: str) -> None:
        colon = "：" if i18n.language() == "zh" else ":"
        self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")

    def write_text(self, text: str) -> None:
        self.write(_paragraphs(text, self.width, " " * self.current_indent))
        self.write("\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((display.width(r[0]) for r in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if display.width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - display.width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = _paragraphs(second, max(self.width - first_col - 2, 10), "").split("\n")
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write((f"{'':>{first_col + self.current_indent}}{line}" if line else "") + "\n")


def _paragraphs(text: str, width: int, indent: str) -> str:
    """Paragraphs filled to `width` columns, each line indented; a paragraph opened by a
    \\b line kept line for line."""
    out = []
    for block in text.expandtabs().split("\n\n"):
        lines = block.split("\n")
        if lines and lines[0].strip() == "\b":
            out.append("\n".join(indent + x if x else x for x in lines[1:]))
            continue
        lead = len(lines[0]) - len(lines[0].lstrip())
        prefix = indent + " " * lead
        words = " ".join(x.strip() for x in lines)
        out.append("\n".join(prefix + x for x in display.fill(words, max(width - len(prefix), 10))))
    return "\n\n".join(out)


class Context(click.Context):
    formatter_class = Formatter
