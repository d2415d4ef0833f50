"""The one state machine of a proposal's life.

``TRANSITIONS`` is the single table of allowed changes and of who may make each, and
``STATUS_ALLOWS`` beside it the single table of what each status allows (being public, edited,
supported, commented, receiving paper votes, absorbing a duplicate). Services call
``transition``; the rules (``proposals/rules.py`` and the others) ask ``can_transition`` and
``allows``; routes and templates ask the rules, so a button is shown only for an action the
service would accept.

    submitted → published (a moderator, or at once without pre-moderation)
    submitted | published → withdrawn (the author, before any decision)
    submitted | published → not retained (a moderator, public reason required)
    published → merged (a moderator, through the merge service)
    published → retained (a moderator, public answer)
    published → under study (a moderator, public note required)
    under study → retained | not retained (a moderator; a reason to not retain)
    under study → merged (a moderator, through the merge service)
    retained → promoted (a moderator, through promotion into a framework deliberation)
    retained ↔ not retained (a moderator correcting a decision, new public reason required)

Hiding for abuse is separate from this machine and reversible.
"""

from dataclasses import dataclass
from enum import StrEnum

from .. import audit
from ..errors import ReasonRequired
from ..extensions import db
from ..models import EventKind, ProposalEvent, ProposalStatus, User, utcnow
from ..models.proposal import Proposal
from ..policy import active, is_moderator
from .errors import TransitionNotAllowed

S = ProposalStatus


class Allows(StrEnum):
    """What a status allows, whatever the calendar and the person (the rules add those)."""

    PUBLIC = "public"  # shown to the public, unless moderation hides it
    EDIT = "edit"  # its author edits the text (a facilitator corrects a card's transcription)
    SUPPORT = "support"  # online supports are given and taken back
    COMMENT = "comment"  # comments and replies, online and from a workshop card
    STICKERS = "stickers"  # sticker votes at a workshop
    ABSORB = "absorb"  # a duplicate can be merged into it


A = Allows
STATUS_ALLOWS: dict[ProposalStatus, frozenset[Allows]] = {
    S.SUBMITTED: frozenset({A.EDIT}),
    S.PUBLISHED: frozenset({A.PUBLIC, A.EDIT, A.SUPPORT, A.COMMENT, A.STICKERS, A.ABSORB}),
    # The author's retreat: the text stays public, nothing more happens to it.
    S.WITHDRAWN: frozenset({A.PUBLIC}),
    S.NOT_RETAINED: frozenset({A.PUBLIC, A.COMMENT, A.STICKERS}),
    # Supports and comments stay open while the city's services study it; the text is frozen.
    S.UNDER_STUDY: frozenset({A.PUBLIC, A.SUPPORT, A.COMMENT, A.STICKERS, A.ABSORB}),
    # Its discussion and votes continue on the proposal it was merged into.
    S.MERGED: frozenset({A.PUBLIC}),
    S.RETAINED: frozenset({A.PUBLIC, A.COMMENT, A.STICKERS}),
    S.PROMOTED: frozenset({A.PUBLIC, A.COMMENT, A.STICKERS}),
}


def allows(status: ProposalStatus | str, what: Allows) -> bool:
    return what in STATUS_ALLOWS[ProposalStatus(status)]


def statuses_allowing(what: Allows) -> list[ProposalStatus]:
    """For queries: ``Proposal.status.in_(statuses_allowing(Allows.STICKERS))``."""
    return [status for status, allowed in STATUS_ALLOWS.items() if what in allowed]


PUBLIC_STATUSES = statuses_allowing(Allows.PUBLIC)
# The moderators' answers to a public proposal; from one to the other is a correction.
DECISIONS = (S.RETAINED, S.NOT_RETAINED)
# What the city kept: retained, then perhaps become a framework deliberation.
KEPT_STATUSES = frozenset({S.RETAINED, S.PROMOTED})
# What the decision form offers: a decision, or "under study" before one.
ANSWERS = (S.UNDER_STUDY, *DECISIONS)
# Public and waiting for a decision: the moderators' queue.
AWAITING_DECISION = (S.PUBLISHED, S.UNDER_STUDY)


class Actor(StrEnum):
    AUTHOR = "author"
    MODERATOR = "moderator"
    SYSTEM = "system"


@dataclass(frozen=True)
class Rule:
    actor: Actor
    reason_required: bool = False
    # Reached only through a dedicated service (merge, promotion), never a plain button.
    via_service: bool = False


TRANSITIONS: dict[tuple[ProposalStatus, ProposalStatus], Rule] = {
    (S.SUBMITTED, S.PUBLISHED): Rule(Actor.MODERATOR),
    (S.SUBMITTED, S.WITHDRAWN): Rule(Actor.AUTHOR, reason_required=True),
    (S.SUBMITTED, S.NOT_RETAINED): Rule(Actor.MODERATOR, reason_required=True),
    (S.PUBLISHED, S.WITHDRAWN): Rule(Actor.AUTHOR, reason_required=True),
    (S.PUBLISHED, S.NOT_RETAINED): Rule(Actor.MODERATOR, reason_required=True),
    (S.PUBLISHED, S.RETAINED): Rule(Actor.MODERATOR),
    (S.PUBLISHED, S.MERGED): Rule(Actor.MODERATOR, via_service=True),
    (S.PUBLISHED, S.UNDER_STUDY): Rule(Actor.MODERATOR, reason_required=True),
    (S.UNDER_STUDY, S.RETAINED): Rule(Actor.MODERATOR),
    (S.UNDER_STUDY, S.NOT_RETAINED): Rule(Actor.MODERATOR, reason_required=True),
    (S.UNDER_STUDY, S.MERGED): Rule(Actor.MODERATOR, via_service=True),
    (S.RETAINED, S.PROMOTED): Rule(Actor.MODERATOR, via_service=True),
    (S.RETAINED, S.NOT_RETAINED): Rule(Actor.MODERATOR, reason_required=True),
    (S.NOT_RETAINED, S.RETAINED): Rule(Actor.MODERATOR, reason_required=True),
}


def _plays(user: User | None, actor: Actor, proposal: Proposal) -> bool:
    if actor is Actor.SYSTEM:
        return user is None
    if not active(user):
        return False
    if actor is Actor.AUTHOR:
        return proposal.author_id is not None and proposal.author_id == user.id
    # Moderators do not moderate their own content.
    return is_moderator(user) and proposal.author_id != user.id


def can_transition(
    proposal: Proposal, target: ProposalStatus, user: User | None, *, system: bool = False
) -> bool:
    rule = TRANSITIONS.get((proposal.status, target))
    if rule is None:
        return False
    if system:
        # Publication without pre-moderation is the platform's own act.
        return (proposal.status, target) == (S.SUBMITTED, S.PUBLISHED)
    return _plays(user, rule.actor, proposal)


def allowed_targets(proposal: Proposal, user: User | None) -> list[ProposalStatus]:
    """Targets ``user`` could choose with a plain button (not merge or promotion)."""
    return [
        target
        for (source, target), rule in TRANSITIONS.items()
        if source == proposal.status
        and not rule.via_service
        and can_transition(proposal, target, user)
    ]


def sources_of(target: ProposalStatus) -> list[ProposalStatus]:
    """The statuses from which ``target`` can be reached (for queues: what awaits a decision)."""
    return [source for (source, to) in TRANSITIONS if to is target]


def record(
    proposal: Proposal,
    kind: EventKind,
    actor: User | None,
    note: str | None = None,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    previous: str | None = None,
    is_public: bool = True,
) -> ProposalEvent:
    """Write one line of the proposal's trail."""
    event = ProposalEvent(
        proposal=proposal,
        actor_id=actor.id if actor is not None else None,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
        previous=previous,
        is_public=is_public,
    )
    db.session.add(event)
    return event


def transition(
    proposal: Proposal,
    target: ProposalStatus,
    actor: User | None,
    note: str | None = None,
    *,
    system: bool = False,
    action: str | None = None,
) -> ProposalEvent:
    """Move ``proposal`` to ``target`` if the table allows ``actor`` to; record it in the public
    trail and in the audit log (as ``action``, by default ``proposal.<target>``); flush."""
    if not can_transition(proposal, target, actor, system=system):
        raise TransitionNotAllowed()
    rule = TRANSITIONS[(proposal.status, target)]
    note = (note or "").strip() or None
    if rule.reason_required and not note:
        raise ReasonRequired()
    source = proposal.status
    now = utcnow()
    proposal.status = target
    proposal.updated_at = now
    if target is S.PUBLISHED and proposal.published_at is None:
        proposal.published_at = now
    if target in ANSWERS:
        # The public answer, or the note of what is being studied, as the proposal shows it.
        proposal.decision_reason = note
    if rule.actor is Actor.MODERATOR and target is not S.PUBLISHED:
        # A moderator's decision ends the author's edit window (publication does not).
        proposal.locked_at = proposal.locked_at or now
    if not allows(target, Allows.EDIT) and proposal.revision is not None:
        # A change waiting for moderation goes with the status that allowed it.
        proposal.revision = None
    event = record(proposal, EventKind.STATUS, actor, note, from_status=source, to_status=target)
    audit.log(
        actor,
        action or f"proposal.{target.value}",
        proposal,
        before={"status": source},
        after={"status": target.value},
        note=note,
    )
    db.session.flush()
    return event
