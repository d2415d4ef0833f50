from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import services as account_services
from ..accounts import two_factor
from ..accounts.rules import can_change_role, can_reset_two_factor
from ..errors import Invalid
from ..extensions import db
from ..models import MailStatus, OutboxMessage, Role, User
from ..policy import can_administer
from ..utils import safe_next_url
from ..views import done, guard, page_arg
from . import bp, services
from .forms import RoleForm
from .rules import can_read_outbox, can_retry_mail
from .services import dead_mail_query, mail_counts, users_query


def _account(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.get("/users")
@guard(can_administer)
def users():
    search = request.args.get("q", "")[:100]
    role = request.args.get("role", "")
    page = db.paginate(
        users_query(search, role),
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "admin/users.html", page=page, search=search, role=role, roles=list(Role), form=RoleForm()
    )


@bp.post("/users/<int:user_id>/role")
@guard(can_change_role, load=_account)
def change_role(user):
    form = RoleForm()
    if not form.validate_on_submit():
        raise Invalid(_("Choose one of the proposed roles."))
    account_services.set_role(current_user, user, Role(form.role.data))
    return done(
        safe_next_url(request.form.get("back")) or url_for("admin.users"),
        _("%(name)s is now: %(role)s.", name=user.display_name, role=Role(user.role).title),
    )


@bp.post("/users/<int:user_id>/two-factor/reset")
@guard(can_reset_two_factor, load=_account)
def reset_two_factor(user):
    """For someone who lost their phone and their recovery codes (their identity checked by
    other means): two-factor goes off, their sessions end, and they set it up again."""
    two_factor.reset(current_user, user)
    return done(
        safe_next_url(request.form.get("back")) or url_for("admin.users"),
        _(
            "Two-factor authentication is off for %(name)s: they sign in with their password "
            "and set it up again.",
            name=user.display_name,
        ),
    )


def _outbox_message(message_id: int) -> OutboxMessage:
    return db.get_or_404(OutboxMessage, message_id)


@bp.get("/mail")
@guard(can_read_outbox)
def mail():
    """The messages that could not be delivered, and how many wait or left."""
    page = db.paginate(
        dead_mail_query(),
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template("admin/mail.html", page=page, counts=mail_counts(), statuses=MailStatus)


@bp.post("/mail/<int:message_id>/retry")
@guard(can_retry_mail, load=_outbox_message)
def retry_mail(message):
    services.retry_mail(current_user, message)
    return done(
        url_for("admin.mail"),
        _("The message to %(address)s is queued again.", address=message.recipient),
    )
