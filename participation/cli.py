"""Flask commands: users, the 2018 history, sample content, translations, the mail worker."""

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
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "-o",
        "translations/messages.pot",
        ".",
    )


@translate_cli.command("update")
def translate_update() -> None:
    """Extract, then merge the new strings into the French and English catalogues."""
    translate_extract.callback()
    _pybabel(
        "update",
        "-i",
        "translations/messages.pot",
        "-d",
        "translations",
        "--no-fuzzy-matching",
        "--ignore-obsolete",
        "-w",
        "100",
    )
    _fill_english_catalogue()


def _fill_english_catalogue() -> None:
    """Message ids are written in English, so the English catalogue repeats them."""
    from babel.messages.pofile import read_po, write_po

    path = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale="en")
    for message in catalogue:
        if not message.id:
            continue
        if message.pluralizable:
            if not any(message.string):
                message.string = (message.id[0], message.id[1])
        elif not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalogue, width=100, omit_header=False, sort_output=True)


@translate_cli.command("compile")
def translate_compile() -> None:
    """Compile the catalogues (.po → .mo); the build runs this."""
    _pybabel("compile", "-d", "translations", "--statistics")


def register_cli(app: Flask) -> None:
    from .accounts.cli import users_cli
    from .following.cli import notifications_cli
    from .history.cli import history_cli, sample_cli
    from .outbox import mail_cli

    app.cli.add_command(translate_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(history_cli)
    app.cli.add_command(sample_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(notifications_cli)
