"""Online supports. The database forbids a second support by the same resident; the counter is
changed by an atomic UPDATE in the same transaction as the row, so it stays exact under races."""

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import SignInRequired
from ..extensions import db
from ..following.services import start_following
from ..models import Proposal, Support, User, utcnow
from . import errors, rules

# Asked by every page of proposals a signed-in person reads: built once (``user_id``,
# ``proposal_ids``).
SUPPORTED = select(Support.proposal_id).where(
    Support.user_id == bindparam("user_id"),
    Support.proposal_id.in_(bindparam("proposal_ids", expanding=True)),
)


def supported_ids(user: User | None, proposal_ids: list[int]) -> set[int]:
    if user is None or not user.is_authenticated or not proposal_ids:
        return set()
    return set(db.session.scalars(SUPPORTED, {"user_id": user.id, "proposal_ids": proposal_ids}))


def supports_used(user: User, round_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Support)
        .where(Support.user_id == user.id, Support.round_id == round_id)
    )


def _lock_supporter(user: User) -> None:
    """Lock the supporter's row (PostgreSQL): parallel supports cannot both pass the cap, and a
    support cannot slip in beside the account's erasure, which takes the same lock. An account
    erased meanwhile supports nothing."""
    erased = db.session.scalar(select(User.erased_at).where(User.id == user.id).with_for_update())
    if erased is not None:
        raise SignInRequired()


def support(proposal: Proposal, user: User) -> bool:
    """Add ``user``'s support; False when they already supported it (a second click, a race)."""
    rules.can_support(user, proposal).require()
    _lock_supporter(user)
    cap = proposal.round.support_cap
    if cap is not None and supports_used(user, proposal.round_id) >= cap:
        raise errors.SupportCapReached()
    try:
        with db.session.begin_nested():
            db.session.add(
                Support(proposal_id=proposal.id, user_id=user.id, round_id=proposal.round_id)
            )
    except IntegrityError:
        return False
    now = utcnow()
    db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id)
        .values(
            support_count=Proposal.support_count + 1,
            locked_at=func.coalesce(Proposal.locked_at, now),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire(proposal, ["support_count", "locked_at"])
    # Supporters follow what becomes of it (they may stop).
    start_following(user, proposal)
    return True


def withdraw_support(proposal: Proposal, user: User) -> bool:
    """Take a support back; returns False when there was none."""
    rules.can_unsupport(user, proposal).require()
    result = db.session.execute(
        delete(Support).where(Support.proposal_id == proposal.id, Support.user_id == user.id)
    )
    if result.rowcount != 1:
        return False
    db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id)
        .values(support_count=Proposal.support_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(proposal, ["support_count"])
    return True
