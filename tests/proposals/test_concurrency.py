"""Many residents support and take back at once: the counter stays exact (PostgreSQL)."""

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from participation.extensions import db
from participation.models import Proposal, Support, User
from participation.proposals import errors
from participation.proposals.supports import support, withdraw_support


@pytest.fixture
def postgres_app(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are tested on PostgreSQL (TEST_DATABASE_URL)")
    return app


def _run_as(app, user_id, proposal_id, actions, barrier):
    outcomes = []
    with app.app_context():
        barrier.wait()
        for action in actions:
            user = db.session.get(User, user_id)
            proposal = db.session.get(Proposal, proposal_id)
            if action == "support":
                changed = support(proposal, user)
            else:
                changed = withdraw_support(proposal, user)
            db.session.commit()
            outcomes.append(action if changed else "unchanged")
        db.session.remove()
    return outcomes


def test_concurrent_supports_and_withdrawals_keep_an_exact_counter(
    postgres_app, create_proposal, create_user
):
    app = postgres_app
    proposal = create_proposal()
    proposal_id = proposal.id
    residents = [create_user().id for _ in range(24)]
    rng = random.Random(2032)
    plans = []
    for user_id in residents:
        # Fast double clicks, and some change their mind.
        plan = rng.choice(
            [["support", "support"], ["support", "withdraw"], ["support", "withdraw", "support"]]
        )
        plans.append((user_id, plan))
    # The same person clicking in two tabs at once.
    plans += [(residents[0], ["support"]), (residents[1], ["support", "support"])]
    barrier = threading.Barrier(len(plans))
    with ThreadPoolExecutor(max_workers=len(plans)) as pool:
        list(pool.map(lambda p: _run_as(app, p[0], proposal_id, p[1], barrier), plans))

    db.session.expire_all()
    rows = db.session.scalars(
        db.select(Support.user_id).where(Support.proposal_id == proposal.id)
    ).all()
    assert len(rows) == len(set(rows)), "someone is counted twice"
    assert db.session.get(Proposal, proposal.id).support_count == len(rows)
    expected_supporters = {
        user_id for user_id, plan in plans[: len(residents)] if plan[-1] == "support"
    } | {residents[0], residents[1]}
    assert set(rows) <= set(residents)
    assert set(rows) >= {u for u, plan in plans[: len(residents)] if plan == ["support", "support"]}
    assert len(rows) <= len(expected_supporters)


def test_concurrent_supports_respect_the_cap(
    postgres_app, create_round, create_pillar, create_proposal, create_user
):
    app = postgres_app
    round_ = create_round(pillars=[create_pillar()], support_cap=3)
    proposals = [create_proposal(round=round_).id for _ in range(8)]
    resident = create_user().id
    barrier = threading.Barrier(len(proposals))

    def attempt(proposal_id):
        with app.app_context():
            barrier.wait()
            try:
                support(db.session.get(Proposal, proposal_id), db.session.get(User, resident))
                db.session.commit()
                return True
            except errors.SupportCapReached:
                db.session.rollback()
                return False
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(proposals)) as pool:
        results = list(pool.map(attempt, proposals))
    assert results.count(True) == 3
    db.session.expire_all()
    total = db.session.scalar(
        db.select(db.func.sum(Proposal.support_count)).where(Proposal.round_id == round_.id)
    )
    assert total == 3
