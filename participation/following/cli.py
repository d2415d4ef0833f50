import click
from flask.cli import AppGroup

from ..extensions import db
from . import services

notifications_cli = AppGroup("notifications", help="What the platform tells residents.")


@notifications_cli.command("digest")
def digest() -> None:
    """Mail each resident the news gathered for their daily digest (run once a day)."""
    sent = services.send_digests()
    db.session.commit()
    click.echo(f"{sent} digest(s) sent.")
