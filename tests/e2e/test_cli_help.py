import click
from click.testing import CliRunner

from ledger.cli import cli


def all_commands(group: click.Group, prefix=()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
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
        ("wallet",),
        ("institution",),
        ("offsite",),
        ("policy", "template"),
        ("report", "html"),
    }
    lacking = [
        " ".join(p)
        for p, cmd in all_commands(cli)
        if p not in no_json and "--json" not in [o for prm in cmd.params for o in prm.opts]
    ]
    assert lacking == []


def test_the_command_table_gives_each_command_its_own_short_help():
    # `ledger --help` lists the commands from ledger/cli/commands.py without importing them;
    # each line there must be what the command's docstring says.
    from ledger.cli.commands import COMMANDS

    ctx = click.Context(cli)
    for name, (_, _, short) in COMMANDS.items():
        cmd = cli.get_command(ctx, name)
        assert cmd.name == name
        assert cmd.get_short_help_str(limit=10_000) == short, name


def test_help_and_version_do_not_import_the_database_layer():
    # Start-up is what every call pays (issue: fast where people wait): listing the commands
    # or the version needs neither SQLAlchemy nor Alembic nor the services.
    import subprocess
    import sys

    probe = (
        "import sys; from ledger.cli import main; sys.argv = ['ledger', {arg!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'pydantic', 'ledger.services') if m in sys.modules))"
    )
    for arg in ("--help", "--version"):
        done = subprocess.run([sys.executable, "-c", probe.format(arg=arg)], capture_output=True, text=True, check=True)
        assert done.stdout.splitlines()[-1] == "[]", (arg, done.stdout[-200:])


def test_shell_completion_offers_commands_and_subcommands():
    # docs/cli.md, "Shell completion": what bash asks for as a word is typed
    runner = CliRunner()
    env = {"_LEDGER_COMPLETE": "bash_complete", "COMP_WORDS": "ledger claim p", "COMP_CWORD": "2"}
    r = runner.invoke(cli, [], env=env, prog_name="ledger")
    assert r.output.split() == ["plain,post"]
    env |= {"COMP_WORDS": "ledger ver", "COMP_CWORD": "1"}
    assert runner.invoke(cli, [], env=env, prog_name="ledger").output.split() == ["plain,verify"]
    script = runner.invoke(cli, [], env={"_LEDGER_COMPLETE": "bash_source"}, prog_name="ledger").output
    assert "_ledger_completion()" in script
