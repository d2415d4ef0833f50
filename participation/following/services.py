"""Following and unfollowing, reading one's notifications, choosing one's mail, and the daily
digest. Services flush and never commit."""

from collections import defaultdict

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..mail import public_url, queue_mail
from ..models import (
    Delivery,
    Follow,
    Notification,
    NotificationPreference,
    NotificationType,
    Proposal,
    User,
    utcnow,
)
from ..notifications import DEFAULT_DELIVERY, HEADLINES, reachable
from . import rules

PER_PAGE = 20


# A person's follow row of a proposal (``user_id``, ``proposal_id``), built once: a proposal's
# page reads it within its reader's marks (``proposals.reader``).
FOLLOWED = select(Follow.id).where(
    Follow.user_id == bindparam("user_id"), Follow.proposal_id == bindparam("proposal_id")
)


def follows(user: User | None, proposal: Proposal, followed: bool | None = None) -> bool:
    """Whether ``user`` hears of ``proposal``: its author always does. ``followed``: whether
    they have a follow row (``FOLLOWED``), when the caller read it already."""
    if user is None or not user.is_authenticated:
        return False
    if proposal.author_id == user.id:
        return True
    if followed is None:
        params = {"user_id": user.id, "proposal_id": proposal.id}
        followed = db.session.scalar(FOLLOWED, params) is not None
    return followed


def start_following(user: User, proposal: Proposal) -> bool:
    """``user`` follows ``proposal`` from now on; False when they already did. Authors and
    supporters are made followers by the services that record them (no rule asked: they act on
    the proposal already)."""
    try:
        with db.session.begin_nested():
            db.session.add(Follow(user_id=user.id, proposal_id=proposal.id))
    except IntegrityError:
        return False
    return True


def follow(user: User, proposal: Proposal) -> bool:
    rules.can_follow(user, proposal).require()
    return start_following(user, proposal)


def unfollow(user: User, proposal: Proposal) -> bool:
    rules.can_unfollow(user, proposal).require()
    removed = db.session.execute(
        delete(Follow).where(Follow.user_id == user.id, Follow.proposal_id == proposal.id)
    ).rowcount
    db.session.flush()
    return bool(removed)


def notifications_query(user: User):
    """One page of ``user``'s notifications, newest first, with their proposal and its round
    (a fixed number of queries whatever the page holds)."""
    return (
        select(Notification)
        .where(Notification.user_id == user.id)
        .options(joinedload(Notification.proposal).joinedload(Proposal.round))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one of ``user``'s notifications read, or all of them; returns how many changed."""
    rules.can_read_notifications(user).require()
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    changed = db.session.execute(
        query.values(read_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        db.session.execute(
            update(User)
            .where(User.id == user.id)
            .values(unread_notifications=User.unread_notifications - changed)
            .execution_options(synchronize_session=False)
        )
        db.session.expire(user, ["unread_notifications"])
    db.session.flush()
    return changed


def preferences(user: User) -> dict[NotificationType, Delivery]:
    chosen = dict(
        db.session.execute(
            select(NotificationPreference.type, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {kind: Delivery(chosen.get(kind, DEFAULT_DELIVERY[kind])) for kind in NotificationType}


def set_preferences(user: User, choices: dict[NotificationType, Delivery]) -> None:
    rules.can_read_notifications(user).require()
    rows = {
        row.type: row
        for row in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    for kind, delivery in choices.items():
        if kind in rows:
            rows[kind].delivery = delivery
        else:
            db.session.add(NotificationPreference(user_id=user.id, type=kind, delivery=delivery))
    db.session.flush()


def forget(user: User) -> None:
    """An erased account follows nothing and keeps no notification nor choice of mail."""
    for model in (Follow, Notification, NotificationPreference):
        db.session.execute(delete(model).where(model.user_id == user.id))
    user.unread_notifications = 0


def send_digests() -> int:
    """Mail each person the news marked for their digest since the last one, in one e-mail;
    clear the marks. Returns how many e-mails are queued (sent on commit). The news is locked
    until then: a run at the same moment (the worker's and the command's) skips it, and no news
    is sent twice (on SQLite, the one writer)."""
    pending = db.session.scalars(
        select(Notification)
        .where(Notification.in_digest.is_(True))
        .options(joinedload(Notification.proposal).joinedload(Proposal.round))
        .order_by(Notification.user_id, Notification.created_at, Notification.id)
        .with_for_update(of=Notification, skip_locked=True)
    ).all()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.user_id].append(notification)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(by_user))))}
    sent = 0
    for user_id, items in by_user.items():
        user = users[user_id]
        if reachable(user):
            queue_mail(
                user.email,
                _l("Your daily digest of the proposals you follow"),
                "notifications_digest",
                locale=user.locale or "fr",
                user=user,
                items=[
                    (
                        item,
                        public_url(
                            "proposals.show",
                            slug=item.proposal.round.slug,
                            number=item.proposal.number,
                        ),
                    )
                    for item in items
                ],
                link=public_url("following.notifications"),
                headlines=HEADLINES,
            )
            sent += 1
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_([n.id for n in pending]))
        .values(in_digest=False)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return sent
