"""Who may do what with a workshop, now. Services enforce these; routes and templates ask them.

A workshop's state goes planned → held → transcribed. Typing in what came back on paper (cards,
sticker votes, attendance, an import, corrections) is possible once the workshop has started and
until it is marked as transcribed; reopening it for entry takes it back to held.
"""

from datetime import datetime

from ..models import Role, User, Workshop, WorkshopState, utcnow
from . import errors

W = WorkshopState

# target: the states it can be reached from (transcribed → held reopens it for entry)
STATE_CHANGES: dict[WorkshopState, set[WorkshopState]] = {
    W.HELD: {W.PLANNED, W.TRANSCRIBED},
    W.TRANSCRIBED: {W.HELD},
}


def _signed_in(user: User | None) -> bool:
    return user is not None and user.is_authenticated and not user.is_blocked


def can_plan_workshops(user: User | None) -> bool:
    """Facilitators, moderators and administrators plan workshops."""
    return _signed_in(user) and user.has_role(Role.FACILITATOR)


def can_manage_workshop(user: User | None, workshop: Workshop) -> bool:
    """Moderators and administrators manage every workshop; a facilitator, those they run."""
    if not can_plan_workshops(user):
        return False
    if user.has_role(Role.MODERATOR):
        return True
    return any(facilitator.id == user.id for facilitator in workshop.facilitators)


def can_see_history(user: User | None) -> bool:
    """The edit history of paper items is for moderators (and administrators)."""
    return _signed_in(user) and user.has_role(Role.MODERATOR)


def has_started(workshop: Workshop, now: datetime | None = None) -> bool:
    return workshop.starts_at <= (now or utcnow())


def entry_problem(workshop: Workshop, user: User | None, now: datetime | None = None):
    """Why ``user`` cannot type paper items in for ``workshop`` now (None when they can)."""
    if not can_manage_workshop(user, workshop):
        return errors.NotAllowed()
    if not has_started(workshop, now):
        return errors.NotHeldYet()
    if workshop.state_enum is W.TRANSCRIBED:
        return errors.EntryClosed()
    return None


def can_enter(workshop: Workshop, user: User | None, now: datetime | None = None) -> bool:
    return entry_problem(workshop, user, now) is None


def state_targets(workshop: Workshop, user: User | None, now: datetime | None = None):
    """The states ``user`` may move ``workshop`` to now, in the order of its life."""
    if not can_manage_workshop(user, workshop):
        return []
    current = workshop.state_enum
    if not has_started(workshop, now):
        # A workshop cannot have been held before it starts.
        return []
    return [target for target, sources in STATE_CHANGES.items() if current in sources]
