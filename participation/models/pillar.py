from flask_babel import get_locale
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


def _lines(text: str | None) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


class Pillar(db.Model):
    """One of the seven pillars of the Smart City policy, with its context and 2030 objectives."""

    __tablename__ = "pillars"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name_fr: Mapped[str] = mapped_column(String(120), unique=True)
    name_en: Mapped[str | None] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    # One item per line, as published in the 2018 brochure (French).
    context: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[str] = mapped_column(Text, default="")

    @property
    def name(self) -> str:
        locale = get_locale()
        if locale is not None and locale.language == "en" and self.name_en:
            return self.name_en
        return self.name_fr

    @property
    def context_items(self) -> list[str]:
        return _lines(self.context)

    @property
    def objective_items(self) -> list[str]:
        return _lines(self.objectives)

    def __repr__(self) -> str:
        return f"<Pillar {self.slug}>"
