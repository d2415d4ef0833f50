from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from .sample import load_sample_content
from .services import ImportReport, import_smart_days_2018
from .smart_days_2018 import SHIPPED_SEED, SmartDaysFormatError

history_cli = AppGroup("history", help="Load the 2018 Smart Days history.")
sample_cli = AppGroup("sample", help="Load the sample content of the open round.")


def _echo(report: ImportReport) -> None:
    for line in report.lines():
        click.echo(line)
    if not report.changed:
        click.echo("Nothing to change: the database was already up to date.")


@history_cli.command("import-2018")
@click.option(
    "--seed",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=SHIPPED_SEED,
    show_default="the copy shipped in the package",
    help="The text of the 2018 Smart Days brochure.",
)
def import_2018(seed: Path) -> None:
    """Import the 2018 Smart Days: pillars, archived round, the 83 framework deliberations."""
    try:
        report = import_smart_days_2018(seed.read_text(encoding="utf-8"))
    except SmartDaysFormatError as error:
        raise click.ClickException(f"{seed}: {error}") from error
    db.session.commit()
    _echo(report)


@sample_cli.command("load")
def load() -> None:
    """Create Béthune's neighbourhoods and the open sample round "Béthune à 2032"."""
    report = load_sample_content()
    db.session.commit()
    _echo(report)
