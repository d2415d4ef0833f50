"""E-mails that tell authors what became of their proposals (sent after the commit)."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from .mail import queue_mail
from .models import Proposal, User

SUBJECTS = {
    "published": _l("Your proposal is published"),
    "not_retained": _l("The moderators have answered your proposal"),
    "retained": _l("Your proposal is retained"),
    "decision_corrected": _l("The answer to your proposal has changed"),
    "merged": _l("Your proposal was merged with a similar one"),
    "promoted": _l("Your proposal became a framework deliberation"),
    "deliberation_status": _l("News of the action your proposal led to"),
    "hidden": _l("Your proposal was hidden by moderation"),
}


def _reachable(user: User | None) -> bool:
    return (
        user is not None
        and user.email is not None
        and user.erased_at is None
        and user.is_confirmed
        and user.notify_by_email
    )


def notify_author(proposal: Proposal, event: str, **context) -> bool:
    """Queue a mail to the proposal's author about ``event``; False when they are not reachable."""
    author = proposal.author
    if not _reachable(author):
        return False
    link = url_for(
        "proposals.show", slug=proposal.round.slug, number=proposal.number, _external=True
    )
    queue_mail(
        author.email,
        SUBJECTS[event],
        "proposal_news",
        locale=author.locale or "fr",
        user=author,
        proposal=proposal,
        event=event,
        link=link,
        **context,
    )
    return True
