"""Reading framework deliberations, grouped the way visitors browse them."""

from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..extensions import db
from ..models import (
    CouncilSession,
    Deliberation,
    MasterplanStatus,
    Pillar,
    ProgressNote,
    Proposal,
)
from . import rules


def _base_query():
    return (
        select(Deliberation)
        .join(Deliberation.pillar)
        .join(Deliberation.council_session)
        # The joins above also load both relations: one query whatever the number of rows.
        .options(contains_eager(Deliberation.pillar), contains_eager(Deliberation.council_session))
        .order_by(
            CouncilSession.held_on.desc(),
            CouncilSession.id.desc(),
            Pillar.position,
            Pillar.id,
            Deliberation.number,
        )
    )


PillarGroups = list[tuple[Pillar, list[Deliberation]]]


def _by_pillar(deliberations: list[Deliberation]) -> PillarGroups:
    # Stable sort: within a pillar, the query's order (newest session first, then number) stays.
    ordered = sorted(deliberations, key=lambda d: (d.pillar.position, d.pillar.id))
    return [(pillar, list(items)) for pillar, items in groupby(ordered, key=lambda d: d.pillar)]


def deliberations_by_pillar(
    round_id: int | None = None, pillar_id: int | None = None
) -> PillarGroups:
    query = _base_query()
    if round_id is not None:
        query = query.where(CouncilSession.round_id == round_id)
    if pillar_id is not None:
        query = query.where(Deliberation.pillar_id == pillar_id)
    return _by_pillar(db.session.scalars(query).all())


def deliberations_by_session(
    pillar_id: int | None = None,
) -> list[tuple[CouncilSession, PillarGroups]]:
    """Council sessions, newest first, each with its deliberations by pillar: one query."""
    query = _base_query().options(
        contains_eager(Deliberation.council_session).joinedload(CouncilSession.round)
    )
    if pillar_id is not None:
        query = query.where(Deliberation.pillar_id == pillar_id)
    rows = db.session.scalars(query).all()
    # The query orders by session first, so each session's rows are consecutive.
    return [
        (session, _by_pillar(list(items)))
        for session, items in groupby(rows, key=lambda d: d.council_session)
    ]


def deliberations_for_pillar(pillar_id: int) -> list[Deliberation]:
    return list(db.session.scalars(_base_query().where(Deliberation.pillar_id == pillar_id)))


def council_sessions() -> list[CouncilSession]:
    return list(
        db.session.scalars(
            select(CouncilSession).order_by(CouncilSession.held_on.desc(), CouncilSession.id.desc())
        )
    )


def get_deliberation_or_404(deliberation_id: int) -> Deliberation:
    return db.first_or_404(
        select(Deliberation)
        .where(Deliberation.id == deliberation_id)
        .options(
            joinedload(Deliberation.pillar),
            joinedload(Deliberation.council_session),
            selectinload(Deliberation.visible_proposals).joinedload(Proposal.round),
            selectinload(Deliberation.progress_notes),
        )
    )


# --- the masterplan ------------------------------------------------------------------------


@dataclass
class MasterplanFilters:
    pillar_id: int | None = None
    status: str | None = None
    carrier: str | None = None
    council_session_id: int | None = None

    def apply(self, query, *, with_status: bool = True):
        if self.pillar_id:
            query = query.where(Deliberation.pillar_id == self.pillar_id)
        if with_status and self.status in STATUSES:
            query = query.where(Deliberation.masterplan_status == self.status)
        if self.carrier:
            query = query.where(Deliberation.carrier == self.carrier)
        if self.council_session_id:
            query = query.where(Deliberation.council_session_id == self.council_session_id)
        return query


STATUSES = [s.value for s in MasterplanStatus]


def masterplan_query(filters: MasterplanFilters):
    return filters.apply(_base_query())


def status_counts(filters: MasterplanFilters) -> dict[MasterplanStatus, int]:
    """How many actions are in each status, for the filters other than the status: one query."""
    rows = db.session.execute(
        filters.apply(
            select(Deliberation.masterplan_status, func.count()).group_by(
                Deliberation.masterplan_status
            ),
            with_status=False,
        )
    ).all()
    found = dict(rows)
    return {status: found.get(status.value, 0) for status in MasterplanStatus}


def carriers() -> list[str]:
    return list(
        db.session.scalars(select(Deliberation.carrier).distinct().order_by(Deliberation.carrier))
    )


def latest_notes(deliberation_ids: list[int]) -> dict[int, ProgressNote]:
    """The latest progress note of each deliberation (by its date, then as recorded): one query."""
    if not deliberation_ids:
        return {}
    ranked = (
        select(
            ProgressNote.id,
            func.row_number()
            .over(
                partition_by=ProgressNote.deliberation_id,
                order_by=(ProgressNote.noted_on.desc(), ProgressNote.id.desc()),
            )
            .label("rank"),
        )
        .where(ProgressNote.deliberation_id.in_(deliberation_ids))
        .subquery()
    )
    notes = db.session.scalars(
        select(ProgressNote).join(ranked, ranked.c.id == ProgressNote.id).where(ranked.c.rank == 1)
    )
    return {note.deliberation_id: note for note in notes}


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


def retained_proposals(round_id: int | None = None, pillar_id: int | None = None) -> list[Proposal]:
    """The proposals that can be promoted now (``rules.can_promote``), for the promotion page."""
    query = (
        select(Proposal)
        .where(Proposal.is_visible, Proposal.status.in_(rules.promotable_statuses()))
        .options(joinedload(Proposal.pillar), joinedload(Proposal.round))
        .order_by(Proposal.round_id, Proposal.pillar_id, Proposal.number)
    )
    if round_id:
        query = query.where(Proposal.round_id == round_id)
    if pillar_id:
        query = query.where(Proposal.pillar_id == pillar_id)
    return list(db.session.scalars(query).unique())
