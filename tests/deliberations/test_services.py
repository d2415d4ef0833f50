"""Reading deliberations by pillar, narrowed to a round's council session or to a pillar."""

from datetime import date

from participation.deliberations.services import deliberations_by_pillar
from participation.extensions import db


def test_each_round_and_pillar_is_given_its_own_deliberations(
    create_round, create_pillar, create_deliberation
):
    """The statements are built once for each way of narrowing, their values bound: asked in
    turn, each round and each pillar is given its own deliberations."""
    mobility, housing = create_pillar(), create_pillar()
    first_round, second_round = create_round(), create_round()
    a = create_deliberation(mobility, number=1, held_on=date(2018, 12, 11))
    b = create_deliberation(housing, number=2, held_on=date(2018, 12, 11))
    c = create_deliberation(mobility, number=3, held_on=date(2019, 6, 20))
    a.council_session.round_id = first_round.id
    c.council_session.round_id = second_round.id
    db.session.commit()

    def shown(**narrowed):
        return [[d.number for d in items] for _pillar, items in deliberations_by_pillar(**narrowed)]

    for _ in range(2):
        assert shown() == [[3, 1], [2]]  # newest session first
        assert shown(round_id=first_round.id) == [[1], [2]]
        assert shown(round_id=second_round.id) == [[3]]
        assert shown(pillar_id=housing.id) == [[2]]
        assert shown(pillar_id=mobility.id) == [[3, 1]]
        assert shown(round_id=second_round.id, pillar_id=housing.id) == []
        assert shown(round_id=first_round.id, pillar_id=mobility.id) == [[1]]
    assert b.council_session is a.council_session
