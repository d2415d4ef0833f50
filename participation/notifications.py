"""Telling people what became of the proposals they care about: a line on their notifications
page, and an e-mail at once, in the daily digest or not at all, as they chose for each kind of
news (``NotificationType``). Mail is sent after the commit.

``notify_author`` tells a proposal's author alone (publication, hiding, their change).
``notify_followers`` tells its followers: its author, the residents who follow it (supporters
do from their support on) and those who followed it through a merge: the authors of the
proposals merged into it, and the residents whose support a merge moved onto it. Nobody is told
twice about one event.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from .extensions import db
from .mail import public_url, queue_mail
from .models import (
    Delivery,
    Follow,
    Notification,
    NotificationPreference,
    NotificationType,
    Proposal,
    Support,
    User,
)

SUBJECTS = {
    "published": _l("Your proposal is published"),
    "not_retained": _l("The moderators have answered your proposal"),
    "under_study": _l("Your proposal is under study"),
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
# How each event reads on the notifications page.
HEADLINES = {
    "published": _l("Published"),
    "not_retained": _l("Not retained by the moderators"),
    "under_study": _l("Under study by the city's services"),
    "retained": _l("Retained by the moderators"),
    "decision_corrected": _l("The answer to it has changed"),
    "merged": _l("Merged with a similar proposal"),
    "promoted": _l("Promoted to a framework deliberation"),
    "deliberation_status": _l("News of the action it led to"),
    "hidden": _l("Hidden by moderation"),
    "change_accepted": _l("Your change is published"),
    "change_refused": _l("Your change was not accepted"),
    "comment": _l("New comment"),
}
ACTION_EVENTS = {"promoted", "deliberation_status"}
DEFAULT_DELIVERY = {
    NotificationType.ANSWER: Delivery.IMMEDIATE,
    NotificationType.ACTION: Delivery.IMMEDIATE,
    NotificationType.COMMENT: Delivery.DIGEST,
}
# Merges of merges: far more than ever happens, and a bound on the walk.
MERGE_DEPTH = 10


def type_of(event: str) -> NotificationType:
    if event == "comment":
        return NotificationType.COMMENT
    return NotificationType.ACTION if event in ACTION_EVENTS else NotificationType.ANSWER


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


def deliveries(user_ids: list[int], kind: NotificationType) -> dict[int, Delivery]:
    """Each person's choice for ``kind`` (one query), the type's default when they made none."""
    chosen = (
        dict(
            db.session.execute(
                select(NotificationPreference.user_id, NotificationPreference.delivery).where(
                    NotificationPreference.user_id.in_(user_ids),
                    NotificationPreference.type == kind,
                )
            ).all()
        )
        if user_ids
        else {}
    )
    return {user_id: Delivery(chosen.get(user_id, DEFAULT_DELIVERY[kind])) for user_id in user_ids}


def tell(
    recipients: list[tuple[User, str, dict]],
    proposal: Proposal,
    event: str,
    kind: NotificationType,
    note: str | None = None,
) -> set[int]:
    """Write each recipient's notification and mail those who want it at once; those who chose
    the digest are marked for it. ``recipients`` are (user, mail template, mail context).
    Returns the ids of the people mailed now."""
    people = [(u, t, c) for u, t, c in recipients if u is not None and u.erased_at is None]
    if not people:
        return set()
    chosen = deliveries([u.id for u, _t, _c in people], kind)
    mailed: set[int] = set()
    for user, template, context in people:
        delivery = chosen[user.id]
        wanted = delivery is not Delivery.NONE and reachable(user)
        db.session.add(
            Notification(
                user_id=user.id,
                proposal_id=proposal.id,
                type=kind,
                event=event,
                note=note,
                in_digest=wanted and delivery is Delivery.DIGEST,
            )
        )
        if wanted and delivery is Delivery.IMMEDIATE:
            subject = SUBJECTS.get(event, FOLLOWED_SUBJECT)
            if template == "proposal_followed":
                subject = FOLLOWED_SUBJECT
            queue_mail(
                user.email,
                subject,
                template,
                locale=user.locale or "fr",
                user=user,
                proposal=proposal,
                event=event,
                link=_link(proposal),
                **context,
            )
            mailed.add(user.id)
    ids = [u.id for u, _t, _c in people]
    db.session.execute(
        update(User)
        .where(User.id.in_(ids))
        .values(unread_notifications=User.unread_notifications + 1)
        .execution_options(synchronize_session=False)
    )
    for user, _t, _c in people:
        db.session.expire(user, ["unread_notifications"])
    return mailed


def notify_author(proposal: Proposal, event: str, **context) -> bool:
    """Tell the proposal's author about ``event``; True when they are mailed now."""
    author = proposal.author
    if author is None:
        return False
    mailed = tell(
        [(author, "proposal_news", context)],
        proposal,
        event,
        type_of(event),
        note=context.get("reason"),
    )
    return author.id in mailed


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


def followers(proposal: Proposal) -> list[tuple[User, str, dict]]:
    """Who hears of ``proposal``, once each: (user, mail template, mail context)."""
    found: list[tuple[User, str, dict]] = []
    seen: set[int] = set()

    def add(user: User | None, template: str, **context) -> None:
        if user is not None and user.id not in seen:
            seen.add(user.id)
            found.append((user, template, context))

    add(proposal.author, "proposal_news")
    merged = merged_into(proposal)
    by_id = {p.id: p for p in merged}
    for origin in merged:
        add(origin.author, "proposal_followed", origin=origin, relation="author")
    if merged:
        rows = db.session.execute(
            select(User, Support.merged_from_id)
            .join(Support, Support.user_id == User.id)
            .where(Support.proposal_id == proposal.id, Support.merged_from_id.is_not(None))
        )
        for user, origin in rows:
            if origin in by_id:
                add(user, "proposal_followed", origin=by_id[origin], relation="supporter")
    for user in db.session.scalars(
        select(User)
        .join(Follow, Follow.user_id == User.id)
        .where(Follow.proposal_id == proposal.id)
        .order_by(Follow.id)
    ):
        add(user, "proposal_followed", origin=proposal, relation="follower")
    return found


def notify_followers(proposal: Proposal, event: str, **context) -> int:
    """Tell the followers of ``proposal`` about ``event``. Returns how many are mailed now."""
    recipients = [(u, t, {**c, **context}) for u, t, c in followers(proposal)]
    return len(tell(recipients, proposal, event, type_of(event), note=context.get("reason")))


def notify_comment(proposal: Proposal, author: User) -> int:
    """Tell the followers of ``proposal`` but ``author`` that a comment was posted (its text
    stays on the page, where moderation can still hide it). Returns how many are mailed now."""
    recipients = [
        (user, "proposal_followed", {"origin": proposal, "relation": "follower"})
        for user, _template, _context in followers(proposal)
        if user.id != author.id
    ]
    return len(tell(recipients, proposal, "comment", NotificationType.COMMENT))
