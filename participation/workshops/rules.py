"""Who may do what with a workshop, now: the rulebook's chapter on workshops and paper input.

Workshops are planned in a round whose workshops phase has not ended (``Round.workshops_end_at``)
and held within it. A workshop's state goes planned → held → transcribed. What came back on paper
(cards, sticker votes, attendance, an import, corrections) is typed in once the workshop has
started, until it is marked as transcribed, and only while the round accepts paper input: during
its workshops phase, or within its grace period after the workshop (``Round.accepts_paper_at``).
Reopening a transcribed workshop takes it back to held. What each proposal status allows at a
workshop (comments, sticker votes, corrections) is declared in ``proposals/state.py``.
"""

from datetime import datetime

from ..errors import NotAllowed
from ..models import Proposal, Round, User, Workshop, WorkshopState, utcnow
from ..policy import Verdict, can_moderate, check, is_facilitator, is_moderator
from ..proposals.state import Allows, allows
from . import errors

W = WorkshopState

# target: the states it can be reached from (transcribed → held reopens it for entry)
STATE_CHANGES: dict[WorkshopState, set[WorkshopState]] = {
    W.HELD: {W.PLANNED, W.TRANSCRIBED},
    W.TRANSCRIBED: {W.HELD},
}

# Facilitators, moderators and administrators (active ones) plan and run workshops.
can_facilitate = is_facilitator


def can_plan(user: User | None, round_: Round, now: datetime | None = None) -> Verdict:
    """Plan a workshop in ``round_``: its workshops phase has not ended."""
    verdict = can_facilitate(user)
    if not verdict:
        return verdict
    return check((round_.accepts_workshops_at(now or utcnow()), errors.WorkshopsOver))


def can_manage(user: User | None, workshop: Workshop) -> Verdict:
    """Moderators and administrators manage every workshop; a facilitator, those they run."""
    verdict = can_facilitate(user)
    if not verdict:
        return verdict
    return check(
        (
            is_moderator(user) or any(f.id == user.id for f in workshop.facilitators),
            NotAllowed,
        )
    )


def can_see_history(user: User | None, _workshop: Workshop | None = None) -> Verdict:
    """The edit history of paper items is for moderators (and administrators)."""
    return can_moderate(user)


def has_started(workshop: Workshop, now: datetime | None = None) -> bool:
    return workshop.starts_at <= (now or utcnow())


def can_enter(user: User | None, workshop: Workshop, now: datetime | None = None) -> Verdict:
    """Type paper items in for ``workshop`` now: from the moment it is planned (typing usually
    happens after it, but a facilitator may prepare the cards beforehand) until the paper
    window closes or the workshop is transcribed."""
    verdict = can_manage(user, workshop)
    if not verdict:
        return verdict
    now = now or utcnow()
    return check(
        (workshop.round.accepts_paper_at(now, workshop.ends_at), errors.PaperClosed),
        (workshop.state is not W.TRANSCRIBED, errors.EntryClosed),
    )


def state_targets(workshop: Workshop, user: User | None, now: datetime | None = None):
    """The states ``user`` may move ``workshop`` to now, in the order of its life."""
    if not can_manage(user, workshop):
        return []
    if not has_started(workshop, now):
        # A workshop cannot have been held before it starts.
        return []
    return [target for target, sources in STATE_CHANGES.items() if workshop.state in sources]


def can_change_state(user: User | None, workshop: Workshop) -> Verdict:
    verdict = can_manage(user, workshop)
    if not verdict:
        return verdict
    return check((bool(state_targets(workshop, user)), errors.StateNotAllowed))


# --- what a proposal can receive from paper ---------------------------------------------------


def can_receive_stickers(proposal: Proposal) -> bool:
    return proposal.is_visible and allows(proposal.status, Allows.STICKERS)


def can_receive_comment(proposal: Proposal) -> bool:
    return proposal.is_visible and allows(proposal.status, Allows.COMMENT)


def can_correct(proposal: Proposal) -> bool:
    """A card's transcription can be corrected until a moderator decides on it or hides it."""
    return allows(proposal.status, Allows.EDIT) and not proposal.is_hidden


def sticker_problem(workshop: Workshop, total: int) -> errors.WorkshopError | None:
    """Why ``total`` sticker votes cannot all have come from ``workshop`` (None when they can):
    each participant receives ``Round.stickers_per_person``."""
    bound = workshop.sticker_bound
    if bound is None:
        return errors.AttendanceFirst()
    if total > bound:
        return errors.TooManyStickers(total, bound, workshop)
    return None
