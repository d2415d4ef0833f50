from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import Invalid
from ..extensions import db
from ..i18n import ngettext
from ..notifications import HEADLINES
from ..proposals.services import proposal_in_url
from ..utils import safe_next_url
from ..views import done, guard, int_arg, page_arg
from . import bp, rules, services
from .forms import PreferencesForm


def _back(proposal) -> str:
    return safe_next_url(request.form.get("back")) or url_for(
        "proposals.show", slug=proposal.round.slug, number=proposal.number
    )


@bp.post("/rounds/<slug>/proposals/<int:number>/follow")
@guard(rules.can_follow, load=proposal_in_url)
def follow(proposal):
    services.follow(current_user, proposal)
    return done(_back(proposal), _("You follow this proposal: its news will reach you."))


@bp.post("/rounds/<slug>/proposals/<int:number>/unfollow")
@guard(rules.can_unfollow, load=proposal_in_url)
def unfollow(proposal):
    services.unfollow(current_user, proposal)
    return done(_back(proposal), _("You no longer follow this proposal."))


@bp.get("/notifications")
@guard(rules.can_read_notifications)
def notifications():
    page = db.paginate(
        services.notifications_query(current_user),
        page=page_arg(),
        per_page=services.PER_PAGE,
        error_out=False,
    )
    return render_template("following/notifications.html", page=page, headlines=HEADLINES)


@bp.post("/notifications/read")
@guard(rules.can_read_notifications)
def mark_read():
    """One notification ("notification_id") or all of them."""
    count = services.mark_read(current_user, int_arg("notification_id", request.form))
    return done(
        safe_next_url(request.form.get("back")) or url_for("following.notifications"),
        ngettext(
            "%(num)s notification marked as read.", "%(num)s notifications marked as read.", count
        ),
    )


def preferences_form(formdata=None) -> PreferencesForm:
    chosen = services.preferences(current_user)
    return PreferencesForm(
        prefix="mail", formdata=formdata, **{kind.value: chosen[kind].value for kind in chosen}
    )


@bp.post("/notifications/preferences")
@guard(rules.can_read_notifications)
def preferences():
    form = PreferencesForm(prefix="mail")
    if form.validate_on_submit():
        services.set_preferences(current_user, form.choices())
        return done(
            url_for("accounts.account") + "#notifications", _("Your choice of e-mails is saved.")
        )
    raise Invalid(_("Choose one option for each kind of news."))
