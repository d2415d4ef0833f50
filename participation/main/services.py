"""What the home page shows besides the rounds: the pillars with the masterplan's progress, key
figures and the latest ideas the city kept. A fixed number of queries, whatever the data."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .. import ROOT
from ..extensions import db
from ..figures import kept
from ..masterplan.services import MasterplanFilters, PillarProgress, pillar_counts
from ..models import Deliberation, Pillar, Proposal
from ..proposals.state import KEPT_STATUSES

LATEST_KEPT = 3


@dataclass(frozen=True)
class KeyFigures:
    proposals: int
    supports: int
    deliberations: int
    done: int


def pillars_with_progress() -> list[PillarProgress]:
    """Every pillar, in order, with its published masterplan actions by status: 2 queries."""
    return [
        PillarProgress(pillar, {status.value: count for status, count in counts.items()})
        for pillar, counts in pillar_counts(MasterplanFilters())
    ]


def key_figures(progress: list[PillarProgress]) -> KeyFigures:
    """Public proposals and their supports (online and on paper), framework deliberations: one
    query, at most every ``CACHE_DEFAULT_TIMEOUT`` seconds."""
    proposals, supports, deliberations = _counts()
    return KeyFigures(
        proposals=proposals,
        supports=supports,
        deliberations=deliberations,
        done=sum(p.done for p in progress),
    )


@kept
def _counts() -> tuple[int, int, int]:
    """It reads every public proposal (26 ms at Madrid's scale, on the most visited page)."""
    deliberations = select(func.count(Deliberation.id)).scalar_subquery()
    row = db.session.execute(
        select(
            func.count(Proposal.id),
            func.coalesce(func.sum(Proposal.support_count + Proposal.paper_support_count), 0),
            deliberations,
        ).where(Proposal.is_visible)
    ).one()
    return tuple(int(value) for value in row)


def latest_kept() -> list[Proposal]:
    """The last public proposals the city retained: one query."""
    return list(db.session.scalars(_LATEST_KEPT))


# The home page's: built once.
_LATEST_KEPT = (
    select(Proposal)
    .options(joinedload(Proposal.round), joinedload(Proposal.pillar))
    .where(Proposal.is_visible, Proposal.status.in_(KEPT_STATUSES))
    .order_by(Proposal.id.desc())
    .limit(LATEST_KEPT)
)


# The pillars drawn in static/img/pillars/ (one SVG per pillar of the 2018 brochure); a pillar
# created later shows the generic icon until it gets its own.
PILLAR_ICONS = frozenset(path.stem for path in (ROOT / "static" / "img" / "pillars").glob("*.svg"))


def pillar_icon(pillar: Pillar) -> str:
    """The path, under static/, of the pillar's icon."""
    return f"img/pillars/{pillar.slug if pillar.slug in PILLAR_ICONS else 'pillar'}.svg"
