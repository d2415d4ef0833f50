import click
from flask.cli import AppGroup

from ..errors import ParticipationError
from ..extensions import db
from ..models import Role
from . import services, two_factor
from .passwords import password_problem

users_cli = AppGroup("users", help="Create users and change their role.")

ROLE_NAMES = [role.value for role in Role]


@users_cli.command("create")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", prompt="Display name")
@click.option(
    "--role", type=click.Choice(ROLE_NAMES), default=Role.RESIDENT.value, show_default=True
)
@click.password_option(
    help="At least 12 characters, not a common password (asked for when not given)."
)
def create(email: str, display_name: str, role: str, password: str) -> None:
    """Create a confirmed account, e.g. the first administrator."""
    problem = password_problem(password, [email, display_name])
    if problem:
        raise click.BadParameter(problem, param_hint="password")
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
    except ParticipationError as error:  # e.g. the last administrator
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{user.email} is now {user.role}.")


@users_cli.command("reset-two-factor")
@click.argument("email")
def reset_two_factor(email: str) -> None:
    """Turn two-factor authentication off for the account with EMAIL (a lost phone and lost
    recovery codes, when no administrator can do it from the site). Audited."""
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account uses {email}.")
    try:
        two_factor.reset(None, user)
    except ParticipationError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Two-factor authentication is off for {user.email}; they set it up again.")
