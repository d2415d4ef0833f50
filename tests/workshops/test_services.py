"""Planning workshops, their state, who may manage them, and what the public reads of them."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from participation.errors import AccountBlocked
from participation.extensions import db
from participation.models import AuditEntry, Role, Workshop, WorkshopState, utcnow
from participation.policy import is_facilitator
from participation.workshops import errors, paper, rules, services


def plan(round_, **fields):
    values = {
        "title": "Atelier mobilité",
        "place": "Salle Olof Palme",
        "starts_at": datetime(2026, 10, 10, 14, 0),
        "ends_at": datetime(2026, 10, 10, 17, 0),
        "pillar_ids": [round_.pillars[0].id],
    }
    values.update(fields)
    return services.WorkshopInput(**values)


def test_facilitator_plans_a_workshop_and_runs_it(facilitator, round_):
    workshop = services.create_workshop(facilitator, round_, plan(round_, expected_attendance=30))
    db.session.commit()
    assert workshop.state == "planned" and workshop.created_by_id == facilitator.id
    assert workshop.facilitators == [facilitator]
    # Paris wall-clock time, stored in UTC (summer time: UTC+2).
    assert workshop.starts_at == datetime(2026, 10, 10, 12, 0)
    assert rules.can_manage(facilitator, workshop)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "workshop.create"))
    assert entry.actor_id == facilitator.id and entry.after["expected_attendance"] == 30


def test_moderator_names_the_facilitators(moderator, facilitator, create_user, round_):
    other = create_user(role=Role.FACILITATOR)
    workshop = services.create_workshop(
        moderator, round_, plan(round_, facilitator_ids=[facilitator.id])
    )
    assert workshop.facilitators == [facilitator]
    assert rules.can_manage(moderator, workshop)
    assert not rules.can_manage(other, workshop)


def test_the_facilitators_offered_are_those_the_rulebook_lets_run_a_workshop(create_user):
    """``holding`` (SQL) and ``is_facilitator`` (Python) say the same of every kind of account:
    staff without two-factor authentication hold none of their powers, so they are not offered."""
    accounts = {
        "resident": create_user(),
        "facilitator": create_user(role=Role.FACILITATOR),
        "moderator": create_user(role=Role.MODERATOR),
        "moderator without two-factor": create_user(role=Role.MODERATOR, two_factor=False),
        "administrator without two-factor": create_user(role=Role.ADMIN, two_factor=False),
        "blocked facilitator": create_user(role=Role.FACILITATOR, blocked_at=utcnow()),
        "erased facilitator": create_user(role=Role.FACILITATOR, erased_at=utcnow()),
    }
    offered = {user_id for user_id, _name in services.facilitator_choices()}
    allowed = {user.id for user in accounts.values() if is_facilitator(user)}
    assert offered == allowed
    assert {name for name, user in accounts.items() if user.id in offered} == {
        "facilitator",
        "moderator",
    }


def test_a_facilitator_stays_among_the_facilitators_when_editing(
    workshop, facilitator, create_user, round_
):
    colleague = create_user(role=Role.FACILITATOR)
    services.update_workshop(facilitator, workshop, plan(round_, facilitator_ids=[colleague.id]))
    assert {u.id for u in workshop.facilitators} == {facilitator.id, colleague.id}


def test_residents_and_outsiders_cannot_plan_or_edit(workshop, resident, create_user, round_):
    with pytest.raises(errors.NotAllowed):
        services.create_workshop(resident, round_, plan(round_))
    with pytest.raises(errors.NotAllowed):
        services.update_workshop(create_user(role=Role.FACILITATOR), workshop, plan(round_))
    blocked = create_user(role=Role.FACILITATOR, blocked_at=utcnow())
    assert not rules.can_plan(blocked, round_)
    with pytest.raises(AccountBlocked):
        services.create_workshop(blocked, round_, plan(round_))


def test_no_workshop_is_planned_once_the_rounds_workshops_phase_is_over(
    english, facilitator, moderator, create_round, round_
):
    closed = create_round(phase="closed", pillars=round_.pillars)
    for someone in (facilitator, moderator):
        assert isinstance(rules.can_plan(someone, closed).reason, errors.WorkshopsOver)
        with pytest.raises(errors.WorkshopsOver):
            services.create_workshop(someone, closed, plan(closed))
    # In an open round, the workshop starts before its workshops phase ends (with the vote).
    end = services.utc_to_paris(round_.workshops_end_at)
    with pytest.raises(errors.WorkshopInvalid) as caught:
        services.create_workshop(
            facilitator,
            round_,
            plan(round_, starts_at=end + timedelta(hours=1), ends_at=end + timedelta(hours=3)),
        )
    assert set(caught.value.problems) == {"starts_at"}
    assert caught.value.problems["starts_at"].startswith(
        "The workshop must take place before the end of the consultation's workshops phase"
    )
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 0
    before = services.create_workshop(
        facilitator,
        round_,
        plan(round_, starts_at=end - timedelta(hours=3), ends_at=end - timedelta(hours=1)),
    )
    assert before.round == round_


def test_workshop_rules(english, facilitator, round_, resident, create_pillar):
    with pytest.raises(errors.WorkshopInvalid) as caught:
        services.create_workshop(
            facilitator,
            round_,
            plan(
                round_,
                title=" ",
                place="",
                ends_at=datetime(2026, 10, 10, 13, 0),
                pillar_ids=[create_pillar().id],
                facilitator_ids=[resident.id],
                expected_attendance=-3,
            ),
        )
    assert set(caught.value.problems) == {
        "title",
        "place",
        "ends_at",
        "pillar_ids",
        "facilitator_ids",
        "expected_attendance",
    }
    assert caught.value.problems["ends_at"] == "The workshop must end after it starts."


def test_state_goes_planned_held_transcribed_and_can_reopen(create_workshop, facilitator):
    coming = create_workshop(facilitators=[facilitator], hours_ago=-5, state="planned")
    assert rules.state_targets(coming, facilitator) == []
    with pytest.raises(errors.StateNotAllowed):
        services.change_state(coming, facilitator, WorkshopState.HELD)

    workshop = create_workshop(facilitators=[facilitator], state="planned")
    assert rules.state_targets(workshop, facilitator) == [WorkshopState.HELD]
    services.change_state(workshop, facilitator, WorkshopState.HELD)
    assert rules.state_targets(workshop, facilitator) == [WorkshopState.TRANSCRIBED]
    services.change_state(workshop, facilitator, WorkshopState.TRANSCRIBED)
    assert isinstance(rules.can_enter(facilitator, workshop).reason, errors.EntryClosed)
    services.change_state(workshop, facilitator, WorkshopState.HELD)
    assert rules.can_enter(facilitator, workshop)


def test_public_lists_split_coming_and_past(create_workshop, round_):
    past = create_workshop(hours_ago=48)
    now_on = create_workshop(hours_ago=1)  # started, not ended: still coming
    later = create_workshop(hours_ago=-24, state="planned")
    assert services.coming_workshops(round_) == [now_on, later]
    assert db.session.scalars(services.past_workshops_query(round_)).all() == [past]


def test_outcome_counts_only_what_the_public_sees(workshop, facilitator, round_, create_proposal):
    card = paper.CardInput("Des bancs", "Des bancs au parc.", round_.pillars[0].id)
    shown = paper.add_paper_proposal(workshop, facilitator, card)
    hidden = paper.add_paper_proposal(
        workshop, facilitator, paper.CardInput("Autre", "Un autre texte.", round_.pillars[0].id)
    )
    hidden.hidden_at = utcnow()
    paper.set_attendance(workshop, facilitator, 12)
    paper.set_paper_supports(workshop, facilitator, shown, 7)
    paper.add_paper_comment(workshop, facilitator, create_proposal(round=round_), "Bonne idée.")
    db.session.commit()
    outcome = services.outcome(workshop)
    assert (outcome.proposal_count, outcome.sticker_count, outcome.comment_count) == (1, 7, 1)
    assert db.session.scalars(services.paper_proposals_query(workshop)).all() == [shown]


def test_vote_sheet_lists_the_workshops_pillars(create_workshop, round_, create_proposal):
    mobility, housing = round_.pillars
    workshop = create_workshop(pillars=[mobility])
    listed = create_proposal(round=round_, pillar=mobility)
    create_proposal(round=round_, pillar=housing)
    create_proposal(round=round_, pillar=mobility, status="submitted")
    create_proposal(round=round_, pillar=mobility, status="withdrawn")
    assert services.sheet_proposals(workshop) == [listed]


def test_when_reads_in_paris_time(english, create_workshop):
    workshop = create_workshop()
    workshop.starts_at = datetime(2026, 10, 10, 12, 0)
    workshop.ends_at = workshop.starts_at + timedelta(hours=3)
    assert services.when(workshop) == "Saturday, October 10, 2026, 2:00\u202fPM–5:00\u202fPM"
