"""Flask commands: users, the 2018 history, sample content, translations."""

import subprocess
import sys

import click
from flask import Flask
from flask.cli import AppGroup

from . import ROOT

translate_cli = AppGroup("translate", help="Extract, update and compile the translations.")


def _pybabel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        raise click.ClickException("pybabel failed: " + " ".join(args))


@translate_cli.command("extract")
def translate_extract() -> None:
    """Collect every translatable string into translations/messages.pot."""
    _pybabel(
        "extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output",
        "-o", "translations/messages.pot", ".",
    )


@translate_cli.command("update")
def translate_update() -> None:
    """Extract, then merge the new strings into the French and English catalogues."""
    translate_extract.callback()
    _pybabel("update", "-i", "translations/messages.pot", "-d", "translations", "--no-fuzzy-matching")


@translate_cli.command("compile")
def translate_compile() -> None:
    """Compile the catalogues (.po → .mo); the build runs this."""
    _pybabel("compile", "-d", "translations", "--statistics")


def register_cli(app: Flask) -> None:
    from .accounts.cli import users_cli
    from .history.cli import history_cli, sample_cli

    app.cli.add_command(translate_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(history_cli)
    app.cli.add_command(sample_cli)
