"""The README is the manual: every command it promises exists, and every command is in it."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from consult.cli import COMMANDS, cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _all_commands() -> list[tuple[str, ...]]:
    """Every command path: ("invoice", "create"), ("check",)…"""
    ctx = click.Context(cli)
    out: list[tuple[str, ...]] = []

    def walk(cmd: click.Command, path: tuple[str, ...]) -> None:
        out.append(path)
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    walk(sub, (*path, name))

    for name in cli.list_commands(ctx):
        walk(cli.get_command(ctx, name), (name,))
    return out


COMMAND_PATHS = _all_commands()


def test_every_command_in_the_design_is_built():
    """`consult --help` lists every command group of the design (none left unbuilt)."""
    ctx = click.Context(cli)
    assert sorted(cli.list_commands(ctx)) == sorted(COMMANDS)


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=" ".join)
def test_every_command_has_help_and_is_in_the_readme(path, run_cli):
    """`consult … --help` explains the command, and the README shows it being used."""
    code, out, err = run_cli(*path, "--help")
    assert code == 0 and err == ""
    assert out.startswith("Usage: ")
    assert len(out.splitlines()) > 3, "help has a description"
    assert re.search(r"consult(?: --books \S+)? " + re.escape(" ".join(path)) + r"\b", README), \
        f"`consult {' '.join(path)}` does not appear in README.md"


def _readme_commands() -> list[list[str]]:
    """`consult …` lines from the README's sh blocks (comments and continuation stripped)."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("consult "):
                found.append(shlex.split(line)[1:])
    return found


def test_a_misspelt_subcommand_would_fail_the_readme_check():
    """The check below is not vacuous: `consult invoice craete` is refused by it."""
    with pytest.raises(AssertionError, match="`craete` is not a command"):
        test_readme_command_lines_parse(["invoice", "craete", "acme", "--period", "2026-10"])


@pytest.mark.parametrize("argv", _readme_commands(), ids=" ".join)
def test_readme_command_lines_parse(argv):
    """Each `consult …` line in the README names a real command with options it accepts."""
    words = [w for w in argv if not w.startswith("-")]
    group: click.Command = cli
    ctx = click.Context(cli)
    for w in words:
        if not isinstance(group, click.Group):
            break
        sub = group.get_command(ctx, w)
        if sub is None:
            # a group that runs on its own (`consult earnings 2026`) takes an argument here;
            # any other group needs a subcommand, so an unknown word is a misspelt one
            assert group.invoke_without_command, f"`{w}` is not a command of `consult {' '.join(words)}`"
            break
        group = sub
    options = {o for p in group.params for o in (*p.opts, *p.secondary_opts)} | {"--help", "-h"}
    options |= {"--books", "--debug", "--version"}
    for w in argv:
        if w.startswith("--"):
            assert w.split("=")[0] in options, f"{w} is not an option of `{' '.join(words)}`"
