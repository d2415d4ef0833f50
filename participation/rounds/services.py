"""Reading consultation rounds."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Round, RoundPhase, utcnow


def home_rounds() -> tuple[list[Round], list[Round]]:
    """Rounds to show on the home page: (not yet closed, closed), newest first."""
    now = utcnow()
    rounds = db.session.scalars(
        select(Round).options(selectinload(Round.pillars)).order_by(Round.collect_starts_at.desc())
    ).all()
    current = [r for r in rounds if r.phase_at(now) is not RoundPhase.CLOSED]
    archived = [r for r in rounds if r.phase_at(now) is RoundPhase.CLOSED]
    return current, archived


def get_round_or_404(slug: str) -> Round:
    return db.first_or_404(select(Round).where(Round.slug == slug))
