"""Several facilitators type sticker votes in at once: the paper counter stays exact, and the
workshop's bound (attendance × stickers per person) holds (PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from participation.extensions import db
from participation.models import PaperSupport, Proposal, Role, User, Workshop
from participation.workshops import errors, paper

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def postgres_app(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are tested on PostgreSQL (TEST_DATABASE_URL)")
    return app


def _type_in(app, user_id, workshop_id, proposal_id, action, barrier) -> str:
    """One facilitator's request: a card given as a "+1", or a vote sheet's count."""
    with app.app_context():
        barrier.wait()
        facilitator = db.session.get(User, user_id)
        workshop = db.session.get(Workshop, workshop_id)
        proposal = db.session.get(Proposal, proposal_id)
        try:
            if action == "card":
                paper.add_stickers(workshop, facilitator, proposal, 1)
            else:
                paper.set_paper_supports(workshop, facilitator, proposal, action)
            db.session.commit()
            return "saved"
        except errors.TooManyStickers:
            db.session.rollback()
            return "refused"
        finally:
            db.session.remove()


def _run_at_once(app, plans, barrier_size=None):
    """Run each (user id, workshop id, proposal id, action) at the same moment."""
    barrier = threading.Barrier(barrier_size or len(plans))
    with ThreadPoolExecutor(max_workers=len(plans)) as pool:
        return list(pool.map(lambda plan: _type_in(app, *plan, barrier), plans))


def _attended(workshop_id, facilitator, people):
    paper.set_attendance(db.session.get(Workshop, workshop_id), facilitator, people)
    db.session.commit()


def test_concurrent_sticker_entries_keep_an_exact_counter(
    postgres_app, create_workshop, facilitator, create_proposal, round_
):
    proposal_id, user_id = create_proposal(round=round_).id, facilitator.id
    first = create_workshop(facilitators=[facilitator]).id
    second = create_workshop(facilitators=[facilitator], title="Deuxième atelier").id
    for workshop_id in (first, second):
        _attended(workshop_id, facilitator, 10)  # room for 50 stickers each
    # Twenty cards given as one sticker each at the first workshop, while the second
    # workshop's count is typed in (and corrected) at the same time.
    plans = [(user_id, first, proposal_id, "card")] * 20 + [
        (user_id, second, proposal_id, count) for count in (7, 9, 9)
    ]
    assert set(_run_at_once(postgres_app, plans)) == {"saved"}
    db.session.expire_all()
    tallies = dict(db.session.execute(select(PaperSupport.workshop_id, PaperSupport.count)).all())
    assert tallies[first] == 20 and tallies[second] in (7, 9)
    assert db.session.scalar(select(func.count()).select_from(PaperSupport)) == 2
    proposal = db.session.get(Proposal, proposal_id)
    assert proposal.paper_support_count == sum(tallies.values())
    assert proposal.support_count == 0


def test_two_facilitators_adding_stickers_at_once_cannot_pass_the_bound(
    postgres_app, create_workshop, facilitator, create_user, create_proposal, round_
):
    colleague = create_user(role=Role.FACILITATOR)
    workshop_id = create_workshop(facilitators=[facilitator, colleague]).id
    _attended(workshop_id, facilitator, 2)  # 2 participants × 5 stickers: at most 10
    first, second = create_proposal(round=round_).id, create_proposal(round=round_).id
    # Each types in a vote sheet's count for another proposal, and cards as "+1"s for it.
    plans = [
        (facilitator.id, workshop_id, first, 6),
        (colleague.id, workshop_id, second, 6),
        *[(facilitator.id, workshop_id, first, "card")] * 4,
        *[(colleague.id, workshop_id, second, "card")] * 4,
    ]
    outcomes = _run_at_once(postgres_app, plans)
    db.session.expire_all()
    total = db.session.scalar(select(func.sum(PaperSupport.count)))
    saved = sum(
        6 if action == 6 else 1
        for (_user, _workshop, _proposal, action), outcome in zip(plans, outcomes, strict=True)
        if outcome == "saved"
    )
    assert total == saved <= 10
    counters = db.session.scalars(select(Proposal.paper_support_count))
    assert sum(counters) == total
    # 20 stickers asked for 10 places: some were refused, each because it did not fit then
    # (counts only grew), never by mistake.
    refused = {
        action
        for (*_plan, action), outcome in zip(plans, outcomes, strict=True)
        if outcome == "refused"
    }
    assert refused
    if "card" in refused:
        assert total == 10
    if 6 in refused:
        assert total > 4
