"""Reading framework deliberations, grouped the way visitors browse them."""

from functools import cache
from itertools import groupby

from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..extensions import db
from ..models import Action, CouncilSession, Deliberation, Pillar, Proposal
from . import rules


@cache
def _base_query():
    """Built once: its joins and options cost as much to build as the query takes to run."""
    return (
        select(Deliberation)
        .join(Deliberation.pillar)
        .join(Deliberation.council_session)
        .outerjoin(Deliberation.action)
        # The joins above also load the relations: one query whatever the number of rows.
        .options(
            contains_eager(Deliberation.pillar),
            contains_eager(Deliberation.council_session),
            contains_eager(Deliberation.action),
        )
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
    """Deliberations grouped by pillar, the groups in the order of their numbers: the council's
    own order (the 2018 brochure's, whose pillars do not follow the pillars' positions)."""
    groups: dict[int, list[Deliberation]] = {}
    for deliberation in deliberations:
        groups.setdefault(deliberation.pillar_id, []).append(deliberation)
    ordered = sorted(groups.values(), key=lambda items: min(d.number for d in items))
    return [(items[0].pillar, items) for items in ordered]


def deliberations_by_pillar(
    round_id: int | None = None, pillar_id: int | None = None
) -> PillarGroups:
    params = {
        name: value
        for name, value in (("round_id", round_id), ("pillar_id", pillar_id))
        if value is not None
    }
    return _by_pillar(db.session.scalars(_narrowed(tuple(params)), params).all())


_NARROWED = {"round_id": CouncilSession.round_id, "pillar_id": Deliberation.pillar_id}


@cache
def _narrowed(names: tuple[str, ...]):
    """The deliberations narrowed on ``names`` (bound parameters of the same names)."""
    query = _base_query()
    for name in names:
        query = query.where(_NARROWED[name] == bindparam(name))
    return query


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
            joinedload(Deliberation.action).joinedload(Action.carrier),
            joinedload(Deliberation.action).selectinload(Action.progress_notes),
        )
    )


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
