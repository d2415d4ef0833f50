"""Masterplan tracking: an action's status, who carries it, and dated progress notes.

Each change is written to the audit log; when the status changes, the authors of the proposals
the deliberation came from are told (after the commit). Services flush and never commit.
"""

from datetime import date

from flask_babel import lazy_gettext as _l

from .. import audit
from ..errors import Invalid
from ..extensions import db
from ..models import Deliberation, MasterplanStatus, ProgressNote, User
from ..notifications import notify_followers
from . import rules


class NoteEmpty(Invalid):
    message = _l("Write what has happened.")
    field = "body"


def _set_status(deliberation: Deliberation, status: MasterplanStatus | str) -> bool:
    status = MasterplanStatus(status)
    if deliberation.masterplan_status == status.value:
        return False
    deliberation.masterplan_status = status
    for proposal in deliberation.visible_proposals:
        notify_followers(proposal, "deliberation_status", deliberation=deliberation)
    return True


def update_tracking(
    deliberation: Deliberation, actor: User, status: MasterplanStatus | str, carrier: str
) -> None:
    """Set the action's status and who carries it; an empty carrier means the city."""
    rules.can_manage(actor).require()
    carrier = (carrier or "").strip()[:200] or "Ville de Béthune"
    before = audit.snapshot(deliberation, ["masterplan_status", "carrier"])
    _set_status(deliberation, status)
    deliberation.carrier = carrier
    after = audit.snapshot(deliberation, ["masterplan_status", "carrier"])
    if before != after:
        audit.log(actor, "deliberation.tracking", deliberation, before=before, after=after)
    db.session.flush()


def add_progress_note(
    deliberation: Deliberation,
    actor: User,
    noted_on: date,
    body: str,
    status: MasterplanStatus | str | None = None,
) -> ProgressNote:
    """Publish a dated note on the action's progress, which may also change its status."""
    rules.can_manage(actor).require()
    status = MasterplanStatus(status) if status else None
    body = (body or "").strip()
    if not body:
        raise NoteEmpty()
    before = audit.snapshot(deliberation, ["masterplan_status"])
    note = ProgressNote(
        deliberation=deliberation,
        noted_on=noted_on,
        body=body[:5000],
        status=status,
        author_id=actor.id,
    )
    db.session.add(note)
    if status is not None:
        _set_status(deliberation, status)
    audit.log(
        actor,
        "deliberation.note",
        deliberation,
        before=before,
        after={**audit.snapshot(deliberation, ["masterplan_status"]), "note": body[:200]},
    )
    db.session.flush()
    return note
