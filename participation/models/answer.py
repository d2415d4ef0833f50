import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow
from .types import enum_column_type


class AnswerLanguage(enum.StrEnum):
    FRENCH = "fr"
    ENGLISH = "en"

    @property
    def title(self):
        return {AnswerLanguage.FRENCH: _l("French"), AnswerLanguage.ENGLISH: _l("English")}[self]


class AnswerTemplate(db.Model):
    """A public answer moderators start from: picked on a proposal's moderation page, it fills
    the answer, which they then adapt."""

    __tablename__ = "answer_templates"
    __table_args__ = (UniqueConstraint("language", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[AnswerLanguage] = mapped_column(
        enum_column_type(AnswerLanguage, "language_known", 2), default=AnswerLanguage.FRENCH
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<AnswerTemplate {self.id} {self.language}>"
