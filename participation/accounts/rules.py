"""Accounts: who may give roles or reset two-factor, and the rule that the platform always keeps
an administrator.

An administrator who is blocked or erased has no power: the platform must keep at least one
active one. The check locks the administrators' rows (PostgreSQL), so that two administrators
who remove each other at the same moment cannot both succeed.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..errors import NotAllowed
from ..extensions import db
from ..models import Role, User
from ..policy import Verdict, can_administer, check


class LastAdmin(NotAllowed):
    message = _l(
        "The platform must keep an active administrator: give the administrator role to "
        "another account first."
    )


def can_change_role(user: User | None, account: User) -> Verdict:
    """Active administrators give roles, to any account that is not erased."""
    verdict = can_administer(user)
    if not verdict:
        return verdict
    return check((account.erased_at is None, NotAllowed))


def can_reset_two_factor(user: User | None, account: User) -> Verdict:
    """Active administrators turn two-factor off for an account that lost its phone and its
    recovery codes (audited); the account enrols again."""
    return can_change_role(user, account)


def active_admin_ids(*, lock: bool = False) -> set[int]:
    query = (
        select(User.id)
        .where(User.role == Role.ADMIN, User.erased_at.is_(None), User.blocked_at.is_(None))
        .order_by(User.id)
    )
    if lock:
        query = query.with_for_update()
    return set(db.session.scalars(query))


def ensure_an_admin_remains(account: User, *, leaving: bool) -> None:
    """Raise ``LastAdmin`` when ``account`` is about to stop being an active administrator
    (``leaving``: demoted, blocked or erased) and no other would remain."""
    if not leaving or account.role != Role.ADMIN:
        return
    if not active_admin_ids(lock=True) - {account.id}:
        raise LastAdmin()


def is_last_admin(account: User) -> bool:
    """True when ``account`` is the only active administrator (it may not leave)."""
    return account.role == Role.ADMIN and not active_admin_ids() - {account.id}
