"""The append-only audit log: who did what, when, with the values before and after.

Services call ``log`` in the same transaction as the change they record, so the entry exists
exactly when the change does. Entries are never updated or deleted (see models/audit.py). An
entry names accounts by their id only: what someone typed who has no account (an unknown
address at sign-in, for instance) is never written here.

The second half reads the log for the administrators' page: the entries, filtered, and each
action and value in words.
"""

from datetime import UTC, date, datetime
from typing import Any

from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .extensions import db
from .models import (
    ActionReview,
    AuditEntry,
    CarrierKind,
    MailStatus,
    MasterplanStatus,
    ProposalStatus,
    Role,
    User,
    WorkshopState,
)
from .templating import localdate, localdatetime


def snapshot(obj: Any, fields: list[str]) -> dict:
    values = {}
    for name in fields:
        value = getattr(obj, name)
        values[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


def log(
    actor: User | None,
    action: str,
    target: Any = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    note: str | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target_type or (target.__tablename__ if target is not None else "platform"),
        target_id=target_id if target_id is not None else getattr(target, "id", None),
        before=before,
        after=after,
        note=note,
    )
    db.session.add(entry)
    return entry


# --- reading the log -----------------------------------------------------------------------

ACTIONS = {
    "account.sign_in_failed": _l("Failed sign-in (wrong password)"),
    "account.password_change": _l("Password changed"),
    "account.password_reset": _l("Password reset through an e-mail link"),
    "account.email_change": _l("E-mail address changed"),
    "account.erase": _l("Account erased"),
    "account.sign_in_locked": _l("Sign-in paused (too many attempts)"),
    "account.sessions_ended": _l("Signed out everywhere"),
    "account.two_factor_enabled": _l("Two-factor authentication turned on"),
    "account.two_factor_disabled": _l("Two-factor authentication turned off"),
    "account.two_factor_reset": _l("Two-factor authentication reset by an administrator"),
    "account.two_factor_failed": _l("Failed sign-in (wrong two-factor code)"),
    "account.recovery_codes_renewed": _l("New recovery codes made"),
    "account.recovery_code_used": _l("Recovery code used to sign in"),
    "user.role": _l("Role changed"),
    "user.block": _l("Account blocked"),
    "user.unblock": _l("Account unblocked"),
    "proposal.accept_change": _l("Proposal change accepted"),
    "proposal.refuse_change": _l("Proposal change refused"),
    "proposal.merge": _l("Proposal merged into another"),
    "proposal.merge_target": _l("Proposal merged: the one it joined"),
    "proposal.promote": _l("Proposal promoted to a framework deliberation"),
    "proposal.hide": _l("Proposal hidden"),
    "proposal.restore": _l("Proposal shown again"),
    "comment.hide": _l("Comment hidden"),
    "comment.restore": _l("Comment shown again"),
    "reports.dismiss": _l("Reports dismissed"),
    "round.create": _l("Consultation created"),
    "round.update": _l("Consultation changed"),
    "council_session.create": _l("Council session created"),
    "deliberation.create": _l("Framework deliberation created"),
    "deliberation.tracking": _l("Masterplan tracking changed"),
    "deliberation.note": _l("Progress note published"),
    "action.tracking": _l("Masterplan tracking changed"),
    "action.note": _l("Progress note published"),
    "action.create": _l("Action added to the masterplan"),
    "action.propose": _l("Action proposed by a partner"),
    "action.revise": _l("Action revised by a partner"),
    "action.review": _l("City's answer to a partner's action"),
    "carrier.create": _l("Carrier added"),
    "carrier.update": _l("Carrier changed"),
    "carrier.invite": _l("Partner invited to speak for a carrier"),
    "carrier.join": _l("Partner joined a carrier"),
    "carrier.partner": _l("Partner added to a carrier"),
    "workshop.create": _l("Workshop planned"),
    "workshop.update": _l("Workshop changed"),
    "workshop.state": _l("Workshop state changed"),
    "workshop.import": _l("Workshop cards imported"),
    "mail.retry": _l("Undelivered e-mail queued again"),
    "answer_template.create": _l("Answer template created"),
    "answer_template.update": _l("Answer template changed"),
    "answer_template.delete": _l("Answer template deleted"),
}

# What an administrator reviews for the accounts' security: sign-ins that failed or were paused,
# two-factor changes and recovery codes, sessions ended, passwords, roles, blocks, erasures.
SECURITY_ACTIONS = (
    "account.sign_in_failed",
    "account.sign_in_locked",
    "account.two_factor_failed",
    "account.two_factor_enabled",
    "account.two_factor_disabled",
    "account.two_factor_reset",
    "account.recovery_codes_renewed",
    "account.recovery_code_used",
    "account.sessions_ended",
    "account.password_change",
    "account.password_reset",
    "account.email_change",
    "account.erase",
    "user.role",
    "user.block",
    "user.unblock",
)

TARGETS = {
    "users": _l("Account"),
    "proposals": _l("Proposal"),
    "comments": _l("Comment"),
    "rounds": _l("Consultation"),
    "workshops": _l("Workshop"),
    "council_sessions": _l("Council session"),
    "deliberations": _l("Deliberation"),
    "outbox_messages": _l("E-mail"),
    "actions": _l("Action"),
    "carriers": _l("Carrier"),
    "answer_templates": _l("Answer template"),
}

FIELDS = {
    "role": _l("Role"),
    "status": _l("Status"),
    "state": _l("State"),
    "masterplan_status": _l("Status"),
    "blocked": _l("Blocked"),
    "hidden": _l("Hidden"),
    "carrier": _l("Carried by"),
    "title": _l("Title"),
    "note": _l("Note"),
    "merged_into": _l("Merged into"),
    "supports_withdrawn": _l("Supports taken back"),
    "dismissed": _l("Reports dismissed"),
    "sessions": _l("Sessions ended"),
    "limit": _l("Limit reached"),
    "two_factor": _l("Two-factor authentication"),
    "remaining": _l("Recovery codes left"),
    "mail_status": _l("Status"),
    "attempts": _l("Attempts"),
    "review": _l("The city's answer"),
    "planned_on": _l("Planned for"),
    "started_on": _l("Started on"),
    "done_on": _l("Done on"),
    "percent": _l("Percentage done"),
    "kind": _l("Kind"),
    "name": _l("Name"),
    "slug": _l("Address"),
    "summary": _l("Summary"),
    "description": _l("Description"),
    "place": _l("Place"),
    "starts_at": _l("Starts"),
    "ends_at": _l("Ends"),
    "expected_attendance": _l("Expected attendance"),
    "pillars": _l("Pillars"),
    "facilitators": _l("Facilitators"),
    "collect_starts_at": _l("Proposals from"),
    "collect_ends_at": _l("Proposals until"),
    "vote_starts_at": _l("Supports from"),
    "vote_ends_at": _l("Supports until"),
    "deliberation_ends_at": _l("Answers until"),
    "support_cap": _l("Supports per person"),
    "premoderation": _l("Moderation before publication"),
    "paper_grace_days": _l("Days to type in paper contributions"),
    "stickers_per_person": _l("Stickers per person"),
    "held_on": _l("Held on"),
    "number": _l("Number"),
    "proposals": _l("Proposals"),
    "cards": _l("Cards"),
    "codes": _l("Codes"),
}

# Values stored as an enum's value read as its title.
ENUMS = {
    "role": Role,
    "status": ProposalStatus,
    "state": WorkshopState,
    "masterplan_status": MasterplanStatus,
    "mail_status": MailStatus,
    "review": ActionReview,
    "kind": CarrierKind,
}


def _member(kind, value):
    """The member of the enum ``kind`` whose value is ``value``, else None."""
    try:
        return kind(value)
    except ValueError:
        return None


def action_title(action: str) -> str:
    """An action in words (a proposal's status change reads as its new status)."""
    if action in ACTIONS:
        return str(ACTIONS[action])
    area, _dot, what = action.partition(".")
    status = _member(ProposalStatus, what) if area == "proposal" else None
    if status is not None:
        return _("Proposal status: %(status)s", status=status.title)
    return action


def target_title(entry: AuditEntry) -> str:
    """What an entry is about, by its kind and id (the page names accounts: ``accounts_named``)."""
    kind = TARGETS.get(entry.target_type)
    if kind is None:
        return "" if entry.target_type == "platform" else entry.target_type
    return f"{kind} #{entry.target_id}" if entry.target_id else str(kind)


def _moment(value: str) -> str | None:
    """A date or time the log stored as ISO 8601, in the reader's words; else None."""
    try:
        if len(value) == 10:
            return localdate(date.fromisoformat(value), "long")
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return localdatetime(moment, "medium")


def _value(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, str) and value[:1].isdigit() and (moment := _moment(value)):
        return moment
    member = _member(ENUMS[name], value) if name in ENUMS else None
    if member is not None:
        return str(member.title)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{FIELDS.get(k, k)} : {_value(k, v)}" for k, v in value.items())
    return str(value)


def describe(values: dict | None, other: dict | None = None) -> list[tuple[str, str]]:
    """The values of an entry's before or after, as (label, value) in words; given the other
    side (``other``), only the values that changed, so that an edit reads as what it changed."""
    values = values or {}
    if other:
        values = {name: v for name, v in values.items() if other.get(name, object()) != v}
    return [(str(FIELDS.get(name, name)), _value(name, value)) for name, value in values.items()]


def entries_query(
    action: str | None = None,
    actor_id: int | None = None,
    *,
    security: bool = False,
    account_id: int | None = None,
):
    """The log, newest first; ``action``, ``actor_id``, the security events only, and the
    entries about one account (``account_id``) narrow it."""
    query = (
        select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if security:
        query = query.where(AuditEntry.action.in_(SECURITY_ACTIONS))
    if account_id:
        query = query.where(AuditEntry.target_type == "users", AuditEntry.target_id == account_id)
    return query


def logged_actions() -> list[tuple[str, str]]:
    """Each action the log holds, as (code, words), in the order of the words."""
    codes = db.session.scalars(select(AuditEntry.action).distinct())
    return sorted(((code, action_title(code)) for code in codes), key=lambda item: item[1])


def accounts_named(entries: list[AuditEntry]) -> dict[int, User]:
    """The accounts a page of entries is about, in one query."""
    ids = {e.target_id for e in entries if e.target_type == "users" and e.target_id}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}
