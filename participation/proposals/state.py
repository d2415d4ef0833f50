"""The one state machine of a proposal's life.

``TRANSITIONS`` is the single table of allowed changes and of who may make each. Services call
``transition``; routes and templates ask ``can_transition`` / ``allowed_targets``, so a button is
shown only for an action the service would accept.

    submitted → published (a moderator, or at once without pre-moderation)
    submitted | published → withdrawn (the author, before any decision)
    submitted | published → not retained (a moderator, public reason required)
    published → merged (a moderator, through the merge service)
    published → retained (a moderator, public answer)
    retained → promoted (a moderator, through promotion into a framework deliberation)
    retained ↔ not retained (a moderator correcting a decision, new public reason required)

Hiding for abuse is separate from this machine and reversible.
"""

from dataclasses import dataclass
from enum import StrEnum

from .. import audit
from ..extensions import db
from ..models import ProposalEvent, ProposalStatus, Role, User, utcnow
from ..models.proposal import Proposal
from .errors import ReasonRequired, TransitionNotAllowed

S = ProposalStatus


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
    (S.RETAINED, S.PROMOTED): Rule(Actor.MODERATOR, via_service=True),
    (S.RETAINED, S.NOT_RETAINED): Rule(Actor.MODERATOR, reason_required=True),
    (S.NOT_RETAINED, S.RETAINED): Rule(Actor.MODERATOR, reason_required=True),
}


def _plays(user: User | None, actor: Actor, proposal: Proposal) -> bool:
    if actor is Actor.SYSTEM:
        return user is None
    if user is None or not user.is_authenticated:
        return False
    if actor is Actor.AUTHOR:
        return proposal.author_id is not None and proposal.author_id == user.id
    # Moderators do not moderate their own content.
    return user.has_role(Role.MODERATOR) and proposal.author_id != user.id


def can_transition(
    proposal: Proposal, target: ProposalStatus, user: User | None, *, system: bool = False
) -> bool:
    rule = TRANSITIONS.get((proposal.status_enum, target))
    if rule is None:
        return False
    if system:
        # Publication without pre-moderation is the platform's own act.
        return (proposal.status_enum, target) == (S.SUBMITTED, S.PUBLISHED)
    return _plays(user, rule.actor, proposal)


def allowed_targets(proposal: Proposal, user: User | None) -> list[ProposalStatus]:
    """Targets ``user`` could choose with a plain button (not merge or promotion)."""
    return [
        target
        for (source, target), rule in TRANSITIONS.items()
        if source is proposal.status_enum
        and not rule.via_service
        and can_transition(proposal, target, user)
    ]


def record(
    proposal: Proposal,
    kind: str,
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
    rule = TRANSITIONS[(proposal.status_enum, target)]
    note = (note or "").strip() or None
    if rule.reason_required and not note:
        raise ReasonRequired()
    source = proposal.status
    now = utcnow()
    proposal.status = target.value
    proposal.updated_at = now
    if target is S.PUBLISHED and proposal.published_at is None:
        proposal.published_at = now
    if target in (S.NOT_RETAINED, S.RETAINED):
        proposal.decision_reason = note
    if rule.actor is Actor.MODERATOR and target is not S.PUBLISHED:
        # A moderator's decision ends the author's edit window (publication does not).
        proposal.locked_at = proposal.locked_at or now
    event = record(proposal, "status", actor, note, from_status=source, to_status=target.value)
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
