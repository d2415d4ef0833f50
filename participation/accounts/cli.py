import click
from flask.cli import AppGroup

from ..extensions import db
from ..models import Role
from . import services

users_cli = AppGroup("users", help="Create users and change their role.")

ROLE_NAMES = [role.value for role in Role]


@users_cli.command("create")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", prompt="Display name")
@click.option(
    "--role", type=click.Choice(ROLE_NAMES), default=Role.RESIDENT.value, show_default=True
)
@click.password_option(help="At least 12 characters (asked for when not given).")
def create(email: str, display_name: str, role: str, password: str) -> None:
    """Create a confirmed account, e.g. the first administrator."""
    if len(password) < 12:
        raise click.BadParameter("the password needs at least 12 characters", param_hint="password")
    try:
        user = services.create_user(email, display_name, password, Role(role))
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role}).")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLE_NAMES))
def set_role(email: str, role: str) -> None:
    """Change the role of the account with EMAIL."""
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account uses {email}.")
    try:
        services.set_role(None, user, Role(role))
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{user.email} is now {user.role}.")
