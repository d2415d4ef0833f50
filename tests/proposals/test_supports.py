import pytest

from participation import errors as core_errors
from participation.extensions import db
from participation.models import Support
from participation.proposals import errors
from participation.proposals.supports import support, supports_used, withdraw_support


def count_rows(proposal):
    return db.session.scalar(
        db.select(db.func.count()).select_from(Support).where(Support.proposal_id == proposal.id)
    )


def test_support_once_and_take_it_back(create_proposal, create_user):
    proposal = create_proposal()
    resident = create_user()
    support(proposal, resident)
    db.session.commit()
    assert proposal.support_count == 1 and count_rows(proposal) == 1
    assert proposal.locked_at is not None
    # A second click changes nothing: the database holds one support.
    assert support(proposal, resident) is False
    db.session.commit()
    assert proposal.support_count == 1 and count_rows(proposal) == 1
    assert withdraw_support(proposal, resident) is True
    assert withdraw_support(proposal, resident) is False
    db.session.commit()
    assert proposal.support_count == 0 and count_rows(proposal) == 0


def test_database_refuses_a_duplicate_support_row(create_proposal, create_user):
    from sqlalchemy.exc import IntegrityError

    proposal = create_proposal()
    resident = create_user()
    db.session.add(
        Support(proposal_id=proposal.id, user_id=resident.id, round_id=proposal.round_id)
    )
    db.session.commit()
    db.session.add(
        Support(proposal_id=proposal.id, user_id=resident.id, round_id=proposal.round_id)
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_cannot_support_own_proposal(create_proposal):
    proposal = create_proposal()
    with pytest.raises(errors.OwnProposal):
        support(proposal, proposal.author)


@pytest.mark.parametrize("status", ["withdrawn", "not_retained", "retained", "promoted"])
def test_only_published_proposals_take_supports(create_proposal, create_user, status):
    proposal = create_proposal(status=status)
    with pytest.raises(errors.NotSupportable):
        support(proposal, create_user())
    assert count_rows(proposal) == 0


def test_a_proposal_awaiting_moderation_is_not_found_by_supporters(create_proposal, create_user):
    proposal = create_proposal(status="submitted")
    with pytest.raises(core_errors.NotFound):
        support(proposal, create_user())
    assert count_rows(proposal) == 0


@pytest.mark.parametrize("phase", ["upcoming", "deliberation", "closed"])
def test_supports_closed_outside_collection_and_voting(
    create_round, create_pillar, create_proposal, create_user, phase
):
    round_ = create_round(phase=phase, pillars=[create_pillar()])
    proposal = create_proposal(round=round_)
    with pytest.raises(core_errors.PhaseClosed):
        support(proposal, create_user())
    with pytest.raises(core_errors.PhaseClosed):
        withdraw_support(proposal, create_user())


def test_supports_open_while_voting(create_round, create_pillar, create_proposal, create_user):
    round_ = create_round(phase="voting", pillars=[create_pillar()])
    proposal = create_proposal(round=round_)
    support(proposal, create_user())
    assert proposal.support_count == 1


def test_cap_per_round(create_round, create_pillar, create_proposal, create_user):
    round_ = create_round(pillars=[create_pillar()], support_cap=2)
    resident = create_user()
    first, second, third = (create_proposal(round=round_) for _ in range(3))
    support(first, resident)
    support(second, resident)
    with pytest.raises(errors.SupportCapReached):
        support(third, resident)
    assert supports_used(resident, round_.id) == 2
    withdraw_support(first, resident)
    support(third, resident)
    assert supports_used(resident, round_.id) == 2


def test_blocked_resident_cannot_support(create_proposal, create_user):
    from participation.models import utcnow

    with pytest.raises(core_errors.AccountBlocked):
        support(create_proposal(), create_user(blocked_at=utcnow()))


def test_nothing_is_accepted_in_a_gap_between_collection_and_vote(
    create_round, create_pillar, create_proposal, create_user
):
    from datetime import timedelta

    from participation.models import utcnow
    from participation.proposals.services import ProposalInput, submit_proposal

    now = utcnow()
    round_ = create_round(
        pillars=[create_pillar()],
        collect_starts_at=now - timedelta(days=10),
        collect_ends_at=now - timedelta(days=1),
        vote_starts_at=now + timedelta(days=2),
        vote_ends_at=now + timedelta(days=20),
    )
    assert round_.phase.value == "voting"
    proposal = create_proposal(round=round_)
    with pytest.raises(core_errors.PhaseClosed):
        support(proposal, create_user())
    with pytest.raises(core_errors.PhaseClosed):
        submit_proposal(
            create_user(),
            round_,
            ProposalInput("Un titre assez long", "x" * 30, round_.pillars[0].id),
        )
