import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow


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


def new_session_nonce() -> str:
    return secrets.token_hex(8)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('resident', 'facilitator', 'moderator', 'admin')", name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Lower-cased before storage; NULL once the account is erased (the row stays for authorship).
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.RESIDENT.value)
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="SET NULL")
    )
    locale: Mapped[str | None] = mapped_column(String(5))
    email_confirmed_at: Mapped[datetime | None]
    pending_email: Mapped[str | None] = mapped_column(String(254))
    # Changing it signs the account out everywhere (password change, reset).
    session_nonce: Mapped[str] = mapped_column(String(32), default=new_session_nonce)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None]
    blocked_at: Mapped[datetime | None]
    blocked_reason: Mapped[str | None] = mapped_column(String(500))
    erased_at: Mapped[datetime | None]
    # E-mails about what becomes of one's proposals (published, answered, merged, promoted…).
    notify_by_email: Mapped[bool] = mapped_column(default=True, server_default=true())

    neighbourhood = relationship("Neighbourhood")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, role: Role) -> bool:
        """True when the user's role is ``role`` or above it."""
        return self.role_enum.rank >= role.rank

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
