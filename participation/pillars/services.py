"""Reading pillars."""

from sqlalchemy import select

from ..extensions import db
from ..models import Pillar


def all_pillars() -> list[Pillar]:
    return list(db.session.scalars(select(Pillar).order_by(Pillar.position, Pillar.id)))


def get_pillar_or_404(slug: str) -> Pillar:
    return db.first_or_404(select(Pillar).where(Pillar.slug == slug))
