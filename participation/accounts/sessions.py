"""Server-side sessions: each sign-in is a row of ``user_sessions``, so that it can be listed
and ended on every device.

The browser's signed cookie holds a random token; the database holds only its SHA-256, so that
a copy of the table opens nothing. Every request looks the token up (``loader``): a session that
was ended, has been idle longer than ``SESSION_IDLE_MINUTES`` or is older than
``SESSION_MAX_DAYS`` opens nothing, whatever the cookie says. Signing out ends one session;
"sign out everywhere", a password change or reset, a role change, a block and an erasure end
them all.

The last-seen time is written at most once a minute, on a connection of its own, so that reading
a page never leaves a change in the request's transaction.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit
from ..extensions import db
from ..models import User, UserSession, utcnow

TOUCH_EVERY = timedelta(minutes=1)
# A cookie's token is 43 characters; anything much longer is not one of ours.
TOKEN_MAX_LENGTH = 100


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- limits ---------------------------------------------------------------------------------


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def absolute_limit() -> timedelta:
    return timedelta(days=current_app.config["SESSION_MAX_DAYS"])


def is_expired(record: UserSession, now: datetime) -> bool:
    return now - record.last_seen_at > idle_limit() or now - record.created_at > absolute_limit()


def _live(now: datetime):
    """The SQL condition of a session still within both lifetimes."""
    return (UserSession.last_seen_at >= now - idle_limit()) & (
        UserSession.created_at >= now - absolute_limit()
    )


# --- beginning, finding, ending -------------------------------------------------------------


def start(user: User, user_agent: str | None) -> str:
    """Open a session for ``user`` (after the password, and the code when two-factor is on);
    returns the token for the cookie. The caller commits."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    record = UserSession(
        user_id=user.id,
        token_hash=hash_token(token),
        device=device_label(user_agent),
        created_at=now,
        last_seen_at=now,
    )
    db.session.add(record)
    db.session.flush()
    user.session_token, user.session_id = token, record.id
    return token


# Asked on every request of a signed-in person: built once.
_SESSION_WITH_USER = (
    select(UserSession)
    .where(UserSession.token_hash == bindparam("token_hash"))
    .options(joinedload(UserSession.user))
)


def current(token: str | None) -> UserSession | None:
    """The live session whose cookie holds ``token``, with its user, or None.

    An expired session is deleted; a live one is marked seen (at most once a minute).
    """
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    record = db.session.scalar(_SESSION_WITH_USER, {"token_hash": hash_token(token)})
    if record is None:
        return None
    now = utcnow()
    if is_expired(record, now):
        _write(delete(UserSession).where(UserSession.id == record.id))
        return None
    if now - record.last_seen_at >= TOUCH_EVERY:
        _write(update(UserSession).where(UserSession.id == record.id).values(last_seen_at=now))
        # Seen by this request, without a change left pending in its transaction.
        set_committed_value(record, "last_seen_at", now)
    record.user.session_token, record.user.session_id = token, record.id
    return record


def _write(statement) -> None:
    """Bookkeeping of the session table, committed at once on its own connection."""
    with db.engine.begin() as connection:
        connection.execute(statement)


def active_sessions(user: User) -> list[UserSession]:
    """The account's live sessions, the most recently seen first."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, _live(utcnow()))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def end(user: User, session_id: int) -> bool:
    """End one of ``user``'s sessions (another person's is left alone): False when none."""
    result = db.session.execute(
        delete(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id)
    )
    return result.rowcount == 1


def end_all(user: User, keep: int | None = None) -> int:
    """End every session of ``user`` but ``keep`` (the one that changed the password); returns
    how many ended. Password changes and resets, role changes, blocks and erasures call it."""
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        statement = statement.where(UserSession.id != keep)
    return db.session.execute(statement).rowcount


def sign_out_everywhere(user: User) -> int:
    """The person ends all their sessions, this one included (audited)."""
    count = end_all(user)
    audit.log(user, "account.sessions_ended", user, after={"sessions": count})
    db.session.flush()
    return count


# --- devices --------------------------------------------------------------------------------

# Checked in order: Edge and Opera also say "Chrome", Chrome also says "Safari".
BROWSERS = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("FxiOS", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str | None) -> str:
    """A short, readable summary of a user agent ("Firefox · Windows"): enough to recognise
    one's devices, not a fingerprint. Empty when nothing is recognised."""
    agent = (user_agent or "")[:500]
    found = [
        next((name for marker, name in table if marker in agent), None)
        for table in (BROWSERS, SYSTEMS)
    ]
    return " · ".join(name for name in found if name)
