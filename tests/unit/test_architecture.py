"""The shape of the package, held: layers import only downwards, modules and functions stay
small enough to read, and the modules that moved still answer to their old names."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import ledger

LEDGER = Path(ledger.__file__).parent
SOURCES = {p: p.read_text(encoding="utf-8") for p in LEDGER.rglob("*.py")}

# What each layer may not import: nothing runs back up.
FORBIDDEN = {
    "rules": ("ledger.db", "ledger.services", "ledger.cli", "ledger.formats", "sqlalchemy", "click"),
    "policy": ("ledger.db", "ledger.services", "ledger.cli", "ledger.formats", "sqlalchemy", "click"),
    "formats": ("ledger.db", "ledger.services", "ledger.cli", "sqlalchemy", "click"),
    "db": ("ledger.services", "ledger.cli", "click"),
    "services": ("ledger.cli", "click"),
    "render": ("ledger.db", "ledger.cli", "click", "sqlalchemy"),
}


def imports(path: Path) -> set[str]:
    """The absolute names a module imports, relative imports resolved."""
    package = ".".join(path.relative_to(LEDGER.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(SOURCES[path])):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer):
    bad = [
        f"{p.relative_to(LEDGER)} imports {name}"
        for p in SOURCES
        if p.relative_to(LEDGER).parts[0] == layer
        for name in sorted(imports(p))
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer])
    ]
    assert bad == []


def test_no_module_over_350_lines_and_no_function_over_60():
    """The demo's scenario is one long script on purpose: it reads as the story it tells."""
    long_modules = [f"{p.relative_to(LEDGER)}: {s.count(chr(10))}" for p, s in SOURCES.items() if s.count("\n") > 350]
    long_functions = [
        f"{p.relative_to(LEDGER)}:{node.lineno} {node.name}: {node.end_lineno - node.lineno + 1}"
        for p, s in SOURCES.items()
        for node in ast.walk(ast.parse(s))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > 60
        and (p.relative_to(LEDGER).as_posix(), node.name) != ("cli/demo.py", "command")
    ]
    assert long_modules == []
    assert long_functions == []


def test_the_modules_that_moved_answer_to_their_old_names():
    """`import ledger.money` is `ledger.rules.money` itself, with a DeprecationWarning that
    names the new home; checked in a fresh interpreter, where neither is imported yet."""
    program = (
        "import importlib, sys, warnings\n"
        "import ledger\n"
        "for old, new in ledger.MOVED.items():\n"
        "    with warnings.catch_warnings(record=True) as caught:\n"
        "        warnings.simplefilter('always')\n"
        "        module = importlib.import_module(old)\n"
        "    assert module is importlib.import_module(new), old\n"
        "    assert module.__spec__.name == new, module.__spec__.name\n"
        "    assert [str(w.message) for w in caught] == [f'{old} is now {new}'], caught\n"
        "from ledger.money import parse_yuan\n"
        "assert parse_yuan('12.30') == 1230\n"
        "print(len(ledger.MOVED))\n"
    )
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "15"


def test_a_module_that_translates_never_binds_the_name_it_translates_with():
    """`_` is the translation (ledger/i18n.py) where a module imports it; a loop that
    unpacks into `_` as a throw-away makes it an int in that function, and the next message
    there fails to be said."""
    bound = []
    for p, s in SOURCES.items():
        tree = ast.parse(s)
        translates = any(
            isinstance(n, ast.ImportFrom)
            and n.module
            and n.module.endswith("i18n")
            and "_" in [a.name for a in n.names]
            for n in ast.walk(tree)
        )
        if translates:
            bound += [
                f"{p.relative_to(LEDGER)}:{n.lineno}"
                for n in ast.walk(tree)
                if isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)
            ]
    assert bound == []
