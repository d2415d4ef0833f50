"""An account erased while it is supporting: no support survives the erasure of an open vote,
and every counter stays equal to its rows (PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from participation.errors import ParticipationError
from participation.extensions import db
from participation.me.services import erase_account
from participation.models import Proposal, Support, User
from participation.proposals.supports import support
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def postgres_app(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are tested on PostgreSQL (TEST_DATABASE_URL)")
    return app


def test_supports_racing_an_erasure_leave_exact_counters(
    postgres_app, create_round, create_pillar, create_proposal, create_user
):
    app = postgres_app
    round_ = create_round(pillars=[create_pillar()])
    proposals = [create_proposal(round=round_).id for _ in range(4)]
    leaving = [create_user().id for _ in range(6)]
    staying = [create_user().id for _ in range(4)]

    def supports_all(user_id):
        done = 0
        for proposal_id in proposals:
            user = db.session.get(User, user_id)
            try:
                support(db.session.get(Proposal, proposal_id), user)
                db.session.commit()
                done += 1
            except ParticipationError:
                # Erased meanwhile: the account supports nothing any more.
                db.session.rollback()
        return done

    def erases(user_id):
        erase_account(db.session.get(User, user_id), TEST_PASSWORD)
        db.session.commit()
        return 0

    plans = [(supports_all, user_id) for user_id in leaving + staying]
    plans += [(erases, user_id) for user_id in leaving]
    barrier = threading.Barrier(len(plans))

    def run(plan):
        action, user_id = plan
        with app.app_context():
            barrier.wait()
            try:
                return action(user_id)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(plans)) as pool:
        list(pool.map(run, plans))

    db.session.expire_all()
    rows = dict(
        db.session.execute(
            select(Support.proposal_id, func.count())
            .where(Support.proposal_id.in_(proposals))
            .group_by(Support.proposal_id)
        ).all()
    )
    for proposal_id in proposals:
        counted = db.session.get(Proposal, proposal_id).support_count
        assert counted == rows.get(proposal_id, 0), (proposal_id, counted, rows)
        # Those who stay all supported it; of those who left, nothing is left in an open vote.
        assert counted == len(staying)
    supporters = set(db.session.scalars(select(Support.user_id)))
    assert supporters == set(staying)
    erased = db.session.scalars(select(User.id).where(User.erased_at.is_not(None))).all()
    assert sorted(erased) == sorted(leaving)
