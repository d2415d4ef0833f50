"""The append-only audit log: who did what, when, with the values before and after.

Services call ``log`` in the same transaction as the change they record, so the entry exists
exactly when the change does. Entries are never updated or deleted (see models/audit.py).
"""

from typing import Any

from .extensions import db
from .models import AuditEntry, User


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
