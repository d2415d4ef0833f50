import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, and_, not_, true
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .types import enum_column_type

if TYPE_CHECKING:
    from .neighbourhood import Neighbourhood


class Role(enum.StrEnum):
    RESIDENT = "resident"
    FACILITATOR = "facilitator"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def title(self):
        return {
            Role.RESIDENT: _l("Resident"),
            Role.FACILITATOR: _l("Workshop facilitator"),
            Role.MODERATOR: _l("Moderator"),
            Role.ADMIN: _l("Administrator"),
        }[self]

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    @property
    def requires_two_factor(self) -> bool:
        """Staff (moderators and administrators) use their powers only with two-factor
        authentication on (see ``policy.has_role``)."""
        return self.rank >= Role.MODERATOR.rank


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("unread_notifications >= 0", name="unread_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Lower-cased before storage; NULL once the account is erased (the row stays for authorship).
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        enum_column_type(Role, "role_known", 20), default=Role.RESIDENT
    )
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="SET NULL")
    )
    locale: Mapped[str | None] = mapped_column(String(5))
    email_confirmed_at: Mapped[datetime | None]
    pending_email: Mapped[str | None] = mapped_column(String(254))
    # Two-factor authentication (TOTP, RFC 6238): the shared secret, once enrolment is
    # confirmed, and the last time step accepted (a code is never accepted twice).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    two_factor_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None]
    blocked_at: Mapped[datetime | None]
    blocked_reason: Mapped[str | None] = mapped_column(String(500))
    erased_at: Mapped[datetime | None]
    # E-mails about what becomes of one's proposals (published, answered, merged, promoted…).
    notify_by_email: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Kept with the account, so that the header shows it without a query (``notifications``).
    unread_notifications: Mapped[int] = mapped_column(default=0, server_default="0")

    neighbourhood: Mapped["Neighbourhood | None"] = relationship()

    # The server-side session this request runs in (set at sign-in and by the user loader): the
    # signed cookie holds its token, never the account id alone, so that ending the session
    # (a row of ``user_sessions``) ends what any copy of the cookie opens.
    session_token = None
    session_id = None

    def get_id(self) -> str | None:
        return self.session_token

    @hybrid_property
    def has_two_factor(self) -> bool:
        return self.two_factor_enabled_at is not None and self.totp_secret is not None

    @has_two_factor.inplace.expression
    @classmethod
    def _has_two_factor_expression(cls):
        return and_(cls.two_factor_enabled_at.is_not(None), cls.totp_secret.is_not(None))

    @hybrid_property
    def two_factor_missing(self) -> bool:
        """A staff role without two-factor authentication: its powers wait for enrolment. The
        one definition, in Python and in SQL (``policy.holding``)."""
        return Role(self.role).requires_two_factor and not self.has_two_factor

    @two_factor_missing.inplace.expression
    @classmethod
    def _two_factor_missing_expression(cls):
        staff = [role for role in Role if role.requires_two_factor]
        return and_(cls.role.in_(staff), not_(cls.has_two_factor))

    def has_role(self, role: Role) -> bool:
        """True when the user's role is ``role`` or above it (whether they may use it now is
        the rulebook's question: see ``policy.has_role``)."""
        return Role(self.role).rank >= role.rank

    @property
    def is_active(self) -> bool:
        return self.erased_at is None

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(db.Model):
    """One signed-in browser: listed on the account page, ended by signing out (there, or
    everywhere), by a password change or reset, a role change, a block or an erasure."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the random token the cookie holds: a copy of the table opens no session.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A short summary of the user agent ("Firefox · Windows"), to recognise one's devices.
    device: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")


class RecoveryCode(db.Model):
    """A single-use code that replaces the authenticator app once (ten at enrolment)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Hashed like a password (argon2): the codes are short enough to be typed.
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
