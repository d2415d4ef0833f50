"""Online supports. The database forbids a second support by the same resident; the counter is
changed by an atomic UPDATE in the same transaction as the row, so it stays exact under races."""

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Proposal, Support, User, utcnow
from . import errors, rules


def supported_ids(user: User | None, proposal_ids: list[int]) -> set[int]:
    if user is None or not user.is_authenticated or not proposal_ids:
        return set()
    rows = db.session.scalars(
        select(Support.proposal_id).where(
            Support.user_id == user.id, Support.proposal_id.in_(proposal_ids)
        )
    )
    return set(rows)


def supports_used(user: User, round_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Support)
        .where(Support.user_id == user.id, Support.round_id == round_id)
    )


def support(proposal: Proposal, user: User) -> None:
    problem = rules.support_problem(proposal, user)
    if problem is not None:
        raise problem
    cap = proposal.round.support_cap
    if cap is not None:
        # Lock the supporter's row so parallel supports cannot both pass the cap (PostgreSQL).
        db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
        if supports_used(user, proposal.round_id) >= cap:
            raise errors.SupportCapReached()
    try:
        with db.session.begin_nested():
            db.session.add(
                Support(proposal_id=proposal.id, user_id=user.id, round_id=proposal.round_id)
            )
    except IntegrityError as error:
        raise errors.AlreadySupported() from error
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


def withdraw_support(proposal: Proposal, user: User) -> bool:
    """Take a support back; returns False when there was none."""
    if not rules.can_unsupport(proposal, user):
        raise errors.PhaseClosed()
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
