"""Keeping actions up to date: the one tracking control (status, dates, percentage, carrier),
dated progress notes, the action a framework deliberation leads to, partners' proposals and the
city's answer to them.

Each change is written to the audit log; when an action's status changes, the followers of the
proposals its deliberation came from are told (after the commit). Services flush, never commit.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from .. import audit
from ..errors import Invalid, ParticipationError
from ..extensions import db
from ..models import (
    Action,
    ActionReview,
    Carrier,
    Deliberation,
    MasterplanStatus,
    Pillar,
    ProgressNote,
    User,
)
from ..notifications import notify_followers
from . import rules, services


class NoteEmpty(Invalid):
    message = _l("Write what has happened.")
    field = "body"


class DatesOutOfOrder(Invalid):
    message = _l("The date it was done cannot come before the date it started.")
    field = "done_on"


class ReasonMissing(Invalid):
    message = _l("Say why, for the partner.")
    field = "reason"


class ReviewNotPossible(ParticipationError):
    message = _l("This action is not waiting for the city's answer.")


TRACKED = ["masterplan_status", "carrier", "planned_on", "started_on", "done_on", "percent"]


def _tracking(action: Action) -> dict:
    return {
        "masterplan_status": MasterplanStatus(action.status).value,
        "carrier": action.carrier.name,
        "planned_on": action.planned_on.isoformat() if action.planned_on else None,
        "started_on": action.started_on.isoformat() if action.started_on else None,
        "done_on": action.done_on.isoformat() if action.done_on else None,
        "percent": action.percent,
    }


def action_for_deliberation(deliberation: Deliberation, carrier: Carrier | None = None) -> Action:
    """The action a framework deliberation leads to, carried by the city unless said otherwise."""
    action = Action(
        title=deliberation.title,
        description=deliberation.body or "",
        pillar_id=deliberation.pillar_id,
        carrier=carrier or services.city_carrier(),
        status=MasterplanStatus.PROJECT,
        review=ActionReview.ACCEPTED,
        deliberation=deliberation,
    )
    db.session.add(action)
    return action


def _tell_followers(action: Action) -> None:
    if action.deliberation is None:
        return
    for proposal in action.deliberation.visible_proposals:
        notify_followers(proposal, "deliberation_status", deliberation=action.deliberation)


@dataclass
class TrackingInput:
    status: MasterplanStatus | str
    carrier_id: int
    planned_on: date | None = None
    started_on: date | None = None
    done_on: date | None = None
    percent: int | None = None


def update_tracking(action: Action, actor: User, data: TrackingInput) -> None:
    """Set where the action stands: its status, carrier, dates and percentage (the city's)."""
    rules.can_track(actor, action).require()
    if data.done_on and data.started_on and data.done_on < data.started_on:
        raise DatesOutOfOrder()
    carrier = db.session.get(Carrier, data.carrier_id)
    if carrier is None:
        raise Invalid()
    before = _tracking(action)
    status = MasterplanStatus(data.status)
    status_changed = MasterplanStatus(action.status) != status
    action.status = status
    action.carrier = carrier
    action.planned_on, action.started_on, action.done_on = (
        data.planned_on,
        data.started_on,
        data.done_on,
    )
    action.percent = data.percent
    after = _tracking(action)
    if before != after:
        audit.log(actor, "action.tracking", action, before=before, after=after)
    if status_changed:
        _tell_followers(action)
    db.session.flush()


def add_progress_note(action: Action, actor: User, noted_on: date, body: str) -> ProgressNote:
    """Publish a dated note on the action's progress (the city, or a partner of its carrier)."""
    rules.can_note(actor, action).require()
    body = (body or "").strip()
    if not body:
        raise NoteEmpty()
    note = ProgressNote(action=action, noted_on=noted_on, body=body[:5000], author_id=actor.id)
    db.session.add(note)
    audit.log(
        actor,
        "action.note",
        action,
        after={"noted_on": noted_on.isoformat(), "note": body[:200]},
    )
    db.session.flush()
    return note


# --- actions the partners propose ----------------------------------------------------------


@dataclass
class ActionInput:
    title: str
    description: str
    pillar_id: int
    planned_on: date | None = None


def _check(data: ActionInput) -> None:
    if db.session.get(Pillar, data.pillar_id) is None or not data.title.strip():
        raise Invalid()


def _write(action: Action, data: ActionInput) -> None:
    action.title = data.title.strip()[:500]
    action.description = (data.description or "").strip()
    action.pillar_id = data.pillar_id
    action.planned_on = data.planned_on


def propose_action(carrier: Carrier, actor: User, data: ActionInput) -> Action:
    """A partner proposes an action in its carrier's name: it waits for the city's answer."""
    rules.can_propose(actor, carrier).require()
    _check(data)
    action = Action(carrier=carrier, review=ActionReview.PROPOSED, proposed_by_id=actor.id)
    _write(action, data)
    db.session.add(action)
    db.session.flush()
    audit.log(
        actor, "action.propose", action, after={"title": action.title, "carrier": carrier.name}
    )
    return action


def create_action(carrier: Carrier, actor: User, data: ActionInput) -> Action:
    """The city adds an action to the masterplan directly, for any carrier."""
    rules.can_manage(actor).require()
    _check(data)
    action = Action(carrier=carrier, review=ActionReview.ACCEPTED, proposed_by_id=actor.id)
    _write(action, data)
    db.session.add(action)
    db.session.flush()
    audit.log(
        actor, "action.create", action, after={"title": action.title, "carrier": carrier.name}
    )
    return action


def revise_action(action: Action, actor: User, data: ActionInput) -> None:
    """The partner revises an action the city sent back: it waits for the city again."""
    rules.can_propose(actor, action.carrier).require()
    if action.review != ActionReview.CHANGES_REQUESTED:
        raise ReviewNotPossible()
    _check(data)
    before = {"title": action.title}
    _write(action, data)
    action.review = ActionReview.PROPOSED
    audit.log(actor, "action.revise", action, before=before, after={"title": action.title})
    db.session.flush()


def review_action(action: Action, actor: User, answer: ActionReview | str, reason: str) -> None:
    """The city's answer to a partner's action: accepted (it becomes public), changes asked or
    declined, the last two with a reason the partner reads."""
    rules.can_review(actor, action).require()
    answer = ActionReview(answer)
    if action.review != ActionReview.PROPOSED or answer == ActionReview.PROPOSED:
        raise ReviewNotPossible()
    reason = (reason or "").strip()
    if answer != ActionReview.ACCEPTED and not reason:
        raise ReasonMissing()
    before = {"review": ActionReview(action.review).value}
    action.review = answer
    action.review_reason = reason[:2000]
    audit.log(
        actor,
        "action.review",
        action,
        before=before,
        after={"review": answer.value, "note": reason[:200]},
    )
    db.session.flush()
