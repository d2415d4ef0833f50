"""Reading the masterplan: actions with their filters and counts, carriers and their pages.

Every list here is a fixed number of queries whatever its length.
"""

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..extensions import db
from ..models import (
    Action,
    ActionReview,
    Carrier,
    CarrierKind,
    CouncilSession,
    Deliberation,
    MasterplanStatus,
    Pillar,
    ProgressNote,
    Proposal,
)

CITY_NAME = "Ville de Béthune"
CITY_SLUG = "ville-de-bethune"
STATUSES = [s.value for s in MasterplanStatus]
KINDS = [k.value for k in CarrierKind]


@dataclass
class PillarProgress:
    """A pillar's actions by status (``MasterplanStatus`` values): the home page's cards and the
    statistics' chart."""

    pillar: Pillar
    counts: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in MasterplanStatus})

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts[MasterplanStatus.DONE.value]

    @property
    def in_progress(self) -> int:
        return self.counts[MasterplanStatus.IN_PROGRESS.value]

    @property
    def percent_done(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class MasterplanFilters:
    pillar_id: int | None = None
    status: str | None = None
    kind: str | None = None
    carrier_id: int | None = None
    # Only the actions that carry out a framework deliberation (the deliberations' CSV).
    council_only: bool = False

    def apply(self, query, *, with_status: bool = True, with_pillar: bool = True):
        query = query.where(Action.is_published)
        if with_pillar and self.pillar_id:
            query = query.where(Action.pillar_id == self.pillar_id)
        if with_status and self.status in STATUSES:
            query = query.where(Action.status == self.status)
        if self.kind in KINDS:
            query = query.where(Action.carrier.has(Carrier.kind == self.kind))
        if self.carrier_id:
            query = query.where(Action.carrier_id == self.carrier_id)
        if self.council_only:
            query = query.where(Action.deliberation_id.is_not(None))
        return query


def _list_query():
    return (
        select(Action)
        .join(Action.pillar)
        .join(Action.carrier)
        .outerjoin(Action.deliberation)
        .outerjoin(Deliberation.council_session)
        # The joins above also load the relations: one query whatever the number of rows.
        .options(
            contains_eager(Action.pillar),
            contains_eager(Action.carrier),
            contains_eager(Action.deliberation).contains_eager(Deliberation.council_session),
        )
        .order_by(
            Pillar.position, Pillar.id, CouncilSession.held_on, Deliberation.number, Action.id
        )
    )


def masterplan_query(filters: MasterplanFilters):
    return filters.apply(_list_query())


def status_counts(filters: MasterplanFilters) -> dict[MasterplanStatus, int]:
    """Actions in each status, for the other filters: one query."""
    rows = db.session.execute(
        filters.apply(
            select(Action.status, func.count()).group_by(Action.status), with_status=False
        )
    ).all()
    found = {MasterplanStatus(status): count for status, count in rows}
    return {status: found.get(status, 0) for status in MasterplanStatus}


def pillar_counts(filters: MasterplanFilters) -> list[tuple[Pillar, dict[MasterplanStatus, int]]]:
    """Actions by pillar and status, for the other filters: two queries."""
    rows = db.session.execute(
        filters.apply(
            select(Action.pillar_id, Action.status, func.count()).group_by(
                Action.pillar_id, Action.status
            ),
            with_pillar=False,
        )
    ).all()
    counts: dict[int, dict[MasterplanStatus, int]] = {}
    for pillar_id, status, count in rows:
        counts.setdefault(pillar_id, {s: 0 for s in MasterplanStatus})[MasterplanStatus(status)] = (
            count
        )
    pillars = db.session.scalars(_PILLARS)
    return [(p, counts.get(p.id, {s: 0 for s in MasterplanStatus})) for p in pillars]


_PILLARS = select(Pillar).order_by(Pillar.position, Pillar.id)


def carriers() -> list[Carrier]:
    return list(db.session.scalars(select(Carrier).order_by(Carrier.kind, Carrier.name)))


def carrier_directory() -> list[tuple[Carrier, int]]:
    """Every carrier with the number of its published actions: one query."""
    count = (
        select(func.count(Action.id))
        .where(Action.carrier_id == Carrier.id, Action.is_published)
        .correlate(Carrier)
        .scalar_subquery()
    )
    return list(db.session.execute(select(Carrier, count).order_by(Carrier.kind, Carrier.name)))


def latest_notes(action_ids: list[int]) -> dict[int, ProgressNote]:
    """The latest progress note of each action (by its date, then as recorded): one query."""
    if not action_ids:
        return {}
    ranked = (
        select(
            ProgressNote.id,
            func.row_number()
            .over(
                partition_by=ProgressNote.action_id,
                order_by=(ProgressNote.noted_on.desc(), ProgressNote.id.desc()),
            )
            .label("rank"),
        )
        .where(ProgressNote.action_id.in_(action_ids))
        .subquery()
    )
    notes = db.session.scalars(
        select(ProgressNote).join(ranked, ranked.c.id == ProgressNote.id).where(ranked.c.rank == 1)
    )
    return {note.action_id: note for note in notes}


def proposal_codes(deliberation_ids: list[int]) -> dict[int, list[str]]:
    """The codes of the public proposals each deliberation came from, in one query."""
    if not deliberation_ids:
        return {}
    codes: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(Proposal.deliberation_id, Proposal.number)
        .where(Proposal.deliberation_id.in_(deliberation_ids), Proposal.is_visible)
        .order_by(Proposal.number)
    )
    for deliberation_id, number in rows:
        codes.setdefault(deliberation_id, []).append(f"P-{number}")
    return codes


def last_updated():
    """When the masterplan last changed: its latest action change or progress note (None while
    it has neither: not the moment the page is read, which would change the page's ETag)."""
    action = db.session.scalar(select(func.max(Action.updated_at)).where(Action.is_published))
    note = db.session.scalar(
        select(func.max(ProgressNote.created_at)).join(Action).where(Action.is_published)
    )
    moments = [m for m in (action, note) if m is not None]
    return max(moments) if moments else None


def get_action_or_404(action_id: int) -> Action:
    return db.first_or_404(
        select(Action)
        .where(Action.id == action_id)
        .options(
            joinedload(Action.pillar),
            joinedload(Action.carrier),
            joinedload(Action.deliberation).joinedload(Deliberation.council_session),
            joinedload(Action.deliberation)
            .selectinload(Deliberation.visible_proposals)
            .joinedload(Proposal.round),
            selectinload(Action.progress_notes),
        )
    )


def get_carrier_or_404(slug: str) -> Carrier:
    return db.first_or_404(select(Carrier).where(Carrier.slug == slug))


def carrier_actions(carrier: Carrier) -> list[Action]:
    return list(
        db.session.scalars(masterplan_query(MasterplanFilters(carrier_id=carrier.id))).unique()
    )


def city_carrier() -> Carrier:
    """The city's own carrier, created the first time it is needed."""
    carrier = db.session.scalar(select(Carrier).where(Carrier.slug == CITY_SLUG))
    if carrier is None:
        carrier = Carrier(
            slug=CITY_SLUG,
            name=CITY_NAME,
            kind=CarrierKind.CITY,
            description="La Ville de Béthune et ses services.",
            website="https://www.bethune.fr",
        )
        db.session.add(carrier)
        db.session.flush()
    return carrier


def own_actions(carrier: Carrier) -> list[Action]:
    """Every action of a carrier, the ones waiting for the city too (for its partners)."""
    return list(
        db.session.scalars(
            select(Action)
            .where(Action.carrier_id == carrier.id, ~Action.is_published)
            .options(joinedload(Action.pillar))
            .order_by(Action.created_at.desc())
        )
    )


def waiting_actions() -> list[Action]:
    """The partners' actions waiting for the city's answer, oldest first."""
    return list(
        db.session.scalars(
            select(Action)
            .where(Action.review == ActionReview.PROPOSED)
            .options(joinedload(Action.pillar), joinedload(Action.carrier))
            .order_by(Action.created_at)
        )
    )
