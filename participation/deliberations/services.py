"""Reading framework deliberations, grouped the way visitors browse them."""

from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..models import CouncilSession, Deliberation, Pillar


def _base_query():
    return (
        select(Deliberation)
        .join(Deliberation.pillar)
        .join(Deliberation.council_session)
        # The joins above also load both relations: one query whatever the number of rows.
        .options(contains_eager(Deliberation.pillar), contains_eager(Deliberation.council_session))
        .order_by(CouncilSession.held_on.desc(), Pillar.position, Deliberation.number)
    )


def deliberations_by_pillar(
    round_id: int | None = None, pillar_id: int | None = None
) -> list[tuple[Pillar, list[Deliberation]]]:
    query = _base_query()
    if round_id is not None:
        query = query.where(CouncilSession.round_id == round_id)
    if pillar_id is not None:
        query = query.where(Deliberation.pillar_id == pillar_id)
    rows = db.session.scalars(query).all()
    # Stable sort: within a pillar, the query's order (newest session first, then number) stays.
    ordered = sorted(rows, key=lambda d: (d.pillar.position, d.pillar.id))
    return [(pillar, list(items)) for pillar, items in groupby(ordered, key=lambda d: d.pillar)]


def deliberations_for_pillar(pillar_id: int) -> list[Deliberation]:
    return list(db.session.scalars(_base_query().where(Deliberation.pillar_id == pillar_id)))


def council_sessions() -> list[CouncilSession]:
    return list(db.session.scalars(select(CouncilSession).order_by(CouncilSession.held_on.desc())))
