"""Several facilitators type sticker votes in at once: the paper counter stays exact
(PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from participation.extensions import db
from participation.models import PaperSupport, Proposal, User, Workshop
from participation.workshops import paper


@pytest.fixture
def postgres_app(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are tested on PostgreSQL (TEST_DATABASE_URL)")
    return app


def _type_in(app, user_id, workshop_id, proposal_id, action, barrier):
    with app.app_context():
        barrier.wait()
        facilitator = db.session.get(User, user_id)
        workshop = db.session.get(Workshop, workshop_id)
        proposal = db.session.get(Proposal, proposal_id)
        if action == "card":
            paper.add_stickers(workshop, facilitator, proposal, 1)
        else:
            paper.set_paper_supports(workshop, facilitator, proposal, action)
        db.session.commit()
        db.session.remove()


def test_concurrent_sticker_entries_keep_an_exact_counter(
    postgres_app, create_workshop, facilitator, create_proposal, round_
):
    proposal_id, user_id = create_proposal(round=round_).id, facilitator.id
    first = create_workshop(facilitators=[facilitator]).id
    second = create_workshop(facilitators=[facilitator], title="Deuxième atelier").id
    # Twenty cards given as one sticker each at the first workshop, while the second
    # workshop's count is typed in (and corrected) at the same time.
    plans = [(first, "card")] * 20 + [(second, 7), (second, 9), (second, 9)]
    barrier = threading.Barrier(len(plans))
    with ThreadPoolExecutor(max_workers=len(plans)) as pool:
        list(
            pool.map(
                lambda plan: _type_in(
                    postgres_app, user_id, plan[0], proposal_id, plan[1], barrier
                ),
                plans,
            )
        )
    db.session.expire_all()
    tallies = dict(db.session.execute(select(PaperSupport.workshop_id, PaperSupport.count)).all())
    assert tallies[first] == 20 and tallies[second] in (7, 9)
    assert db.session.scalar(select(func.count()).select_from(PaperSupport)) == 2
    proposal = db.session.get(Proposal, proposal_id)
    assert proposal.paper_support_count == sum(tallies.values())
    assert proposal.support_count == 0
