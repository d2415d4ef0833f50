"""E-mails that tell people what became of the proposals they care about (sent after the commit).

``notify_author`` tells a proposal's author. ``notify_followers`` tells its author and those who
followed it through a merge: the authors of the proposals merged into it, and the residents whose
support a merge moved onto it. Nobody is written to twice about one event.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .extensions import db
from .mail import public_url, queue_mail
from .models import Proposal, Support, User

SUBJECTS = {
    "published": _l("Your proposal is published"),
    "not_retained": _l("The moderators have answered your proposal"),
    "retained": _l("Your proposal is retained"),
    "decision_corrected": _l("The answer to your proposal has changed"),
    "merged": _l("Your proposal was merged with a similar one"),
    "promoted": _l("Your proposal became a framework deliberation"),
    "deliberation_status": _l("News of the action your proposal led to"),
    "hidden": _l("Your proposal was hidden by moderation"),
    "change_accepted": _l("Your change is published"),
    "change_refused": _l("Your change was not accepted"),
}
FOLLOWED_SUBJECT = _l("News of a proposal you follow")
# Merges of merges: far more than ever happens, and a bound on the walk.
MERGE_DEPTH = 10


def reachable(user: User | None) -> bool:
    return (
        user is not None
        and user.email is not None
        and user.erased_at is None
        and user.is_confirmed
        and user.notify_by_email
    )


def _link(proposal: Proposal) -> str:
    return public_url("proposals.show", slug=proposal.round.slug, number=proposal.number)


def notify_author(proposal: Proposal, event: str, **context) -> bool:
    """Queue a mail to the proposal's author about ``event``; False when they are not reachable."""
    author = proposal.author
    if not reachable(author):
        return False
    queue_mail(
        author.email,
        SUBJECTS[event],
        "proposal_news",
        locale=author.locale or "fr",
        user=author,
        proposal=proposal,
        event=event,
        link=_link(proposal),
        **context,
    )
    return True


def merged_into(proposal: Proposal) -> list[Proposal]:
    """The proposals merged into ``proposal``, directly or through another merge."""
    found: list[Proposal] = []
    frontier = [proposal.id]
    for _depth in range(MERGE_DEPTH):
        if not frontier:
            break
        level = list(
            db.session.scalars(select(Proposal).where(Proposal.merged_into_id.in_(frontier)))
        )
        found.extend(level)
        frontier = [p.id for p in level]
    return found


def notify_followers(proposal: Proposal, event: str, **context) -> int:
    """Tell the author of ``proposal``, and those who followed it through a merge, about
    ``event``. Returns how many people are written to."""
    told = {proposal.author_id} if notify_author(proposal, event, **context) else set()
    merged = merged_into(proposal)
    by_id = {p.id: p for p in merged}
    followers: list[tuple[User, Proposal, str]] = [
        (p.author, p, "author") for p in merged if p.author is not None
    ]
    if merged:
        rows = db.session.execute(
            select(User, Support.merged_from_id)
            .join(Support, Support.user_id == User.id)
            .where(Support.proposal_id == proposal.id, Support.merged_from_id.is_not(None))
        )
        followers += [
            (user, by_id[origin], "supporter") for user, origin in rows if origin in by_id
        ]
    for user, origin, relation in followers:
        if user.id in told or user.id == proposal.author_id or not reachable(user):
            continue
        told.add(user.id)
        queue_mail(
            user.email,
            FOLLOWED_SUBJECT,
            "proposal_followed",
            locale=user.locale or "fr",
            user=user,
            proposal=proposal,
            origin=origin,
            relation=relation,
            event=event,
            link=_link(proposal),
            **context,
        )
    return len(told)
