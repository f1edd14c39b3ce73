import click
from click.testing import CliRunner

from ledger.cli import cli


def all_commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, prefix + (name,))


def test_help_lists_the_command_groups_built_so_far():
    out = CliRunner().invoke(cli, ["--help"]).output
    for group in ("db", "policy", "person", "account", "family", "claim", "usage", "verify", "demo"):
        assert f"  {group} " in out


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    missing = []
    for path, _ in all_commands(cli):
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        if "Example:" not in result.output or "ledger " not in result.output.split("Example:")[1]:
            missing.append(" ".join(path))
    assert missing == []


def test_every_reading_and_writing_command_takes_json():
    # groups, the demo's narrative, the policy template (its output is a TOML file to edit) and
    # the HTML report (its output is the page)
    no_json = {
        ("db",),
        ("policy",),
        ("person",),
        ("account",),
        ("family",),
        ("claim",),
        ("report",),
        ("demo",),
        ("policy", "template"),
        ("report", "html"),
    }
    lacking = [
        " ".join(p)
        for p, cmd in all_commands(cli)
        if p not in no_json and "--json" not in [o for prm in cmd.params for o in prm.opts]
    ]
    assert lacking == []
