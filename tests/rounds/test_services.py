"""Round rules: addresses, Paris time, the calendar's order, pillars, the support cap."""

from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from participation.errors import NotAllowed
from participation.extensions import db
from participation.models import AuditEntry, Role, Round, RoundPhase, utcnow
from participation.rounds import services
from participation.rounds.services import (
    RoundInput,
    calendar_steps,
    paris_to_utc,
    pillars_with_counts,
    round_problems,
    slugify,
    utc_to_paris,
)


@pytest.fixture(autouse=True)
def english(app):
    """Messages are compared in English; the French catalogue translates them."""
    with force_locale("en"):
        yield


# --- addresses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Béthune à 2032", "bethune-a-2032"),
        ("  Smart Days — 2018 !", "smart-days-2018"),
        ("Cœur de ville : l'été", "coeur-de-ville-l-ete"),
        ("Ÿ---Æ", "y-ae"),
        ("???", ""),
    ],
)
def test_slugify_makes_lowercase_ascii_words_joined_by_hyphens(title, slug):
    assert slugify(title) == slug


def test_slugify_cuts_long_titles_without_a_trailing_hyphen():
    slug = slugify("a" * 79 + " bcd")
    assert slug == "a" * 79


# --- Paris time ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paris", "utc"),
    [
        (datetime(2026, 1, 15, 12, 0), datetime(2026, 1, 15, 11, 0)),  # winter: UTC+1
        (datetime(2026, 7, 1, 12, 0), datetime(2026, 7, 1, 10, 0)),  # summer: UTC+2
        # Sunday 29 March 2026: at 02:00 the clocks go forward to 03:00.
        (datetime(2026, 3, 29, 1, 59), datetime(2026, 3, 29, 0, 59)),
        (datetime(2026, 3, 29, 3, 0), datetime(2026, 3, 29, 1, 0)),
        # Sunday 25 October 2026: at 03:00 the clocks go back to 02:00.
        (datetime(2026, 10, 25, 1, 59), datetime(2026, 10, 24, 23, 59)),
        (datetime(2026, 10, 25, 3, 0), datetime(2026, 10, 25, 2, 0)),
        (datetime(2026, 10, 24, 23, 59, 59), datetime(2026, 10, 24, 21, 59, 59)),
    ],
)
def test_paris_and_utc_convert_both_ways_around_the_clock_changes(paris, utc):
    assert paris_to_utc(paris) == utc
    assert utc_to_paris(utc) == paris


def test_a_time_skipped_in_spring_counts_as_the_hour_after():
    # 02:30 does not exist on 29 March 2026: it is read in winter time, i.e. 03:30 summer time.
    utc = paris_to_utc(datetime(2026, 3, 29, 2, 30))
    assert utc == datetime(2026, 3, 29, 1, 30)
    assert utc_to_paris(utc) == datetime(2026, 3, 29, 3, 30)


def test_a_time_repeated_in_autumn_means_its_first_occurrence():
    assert paris_to_utc(datetime(2026, 10, 25, 2, 30)) == datetime(2026, 10, 25, 0, 30)
    # Both UTC times read 02:30 in Paris.
    assert utc_to_paris(datetime(2026, 10, 25, 0, 30)) == datetime(2026, 10, 25, 2, 30)
    assert utc_to_paris(datetime(2026, 10, 25, 1, 30)) == datetime(2026, 10, 25, 2, 30)


def test_a_day_across_a_clock_change_lasts_23_or_25_hours():
    def utc_length(start, end):
        return paris_to_utc(end) - paris_to_utc(start)

    assert utc_length(datetime(2026, 3, 29), datetime(2026, 3, 30)) == timedelta(hours=23)
    assert utc_length(datetime(2026, 10, 25), datetime(2026, 10, 26)) == timedelta(hours=25)


# --- the rules -----------------------------------------------------------------------------


def round_input(**fields) -> RoundInput:
    values = {
        "title": "Béthune à 2032",
        "collect_starts_at": datetime(2026, 3, 1, 9, 0),
        "collect_ends_at": datetime(2026, 4, 30, 23, 59),
        "vote_starts_at": datetime(2026, 5, 1, 0, 0),
        "vote_ends_at": datetime(2026, 5, 31, 23, 59),
        "deliberation_ends_at": datetime(2026, 9, 30, 23, 59),
        "pillar_ids": [1],
    }
    values.update(fields)
    return RoundInput(**values)


def test_a_consistent_round_breaks_no_rule():
    assert round_problems(round_input()) == {}
    assert round_problems(round_input(vote_starts_at=None, vote_ends_at=None)) == {}
    no_vote_nor_deliberation = round_input(
        vote_starts_at=None, vote_ends_at=None, deliberation_ends_at=None
    )
    assert round_problems(no_vote_nor_deliberation) == {}
    # The phases may follow each other at the same minute.
    back_to_back = round_input(
        vote_starts_at=datetime(2026, 4, 30, 23, 59),
        deliberation_ends_at=datetime(2026, 5, 31, 23, 59),
    )
    assert round_problems(back_to_back) == {}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"collect_starts_at": None},
            "collect_starts_at",
            "Enter when the collection of proposals starts.",
        ),
        (
            {"collect_ends_at": None},
            "collect_ends_at",
            "Enter when the collection of proposals ends.",
        ),
        (
            {"collect_ends_at": datetime(2026, 3, 1, 9, 0)},
            "collect_ends_at",
            "The collection must end after it starts.",
        ),
        (
            {"vote_starts_at": datetime(2026, 4, 30, 12, 0)},
            "vote_starts_at",
            "The vote cannot start before the collection of proposals ends.",
        ),
        (
            {"vote_ends_at": datetime(2026, 5, 1, 0, 0)},
            "vote_ends_at",
            "The vote must end after it starts.",
        ),
        (
            {"vote_ends_at": None},
            "vote_ends_at",
            "Enter both the start and the end of the vote, or neither.",
        ),
        (
            {"vote_starts_at": None},
            "vote_starts_at",
            "Enter both the start and the end of the vote, or neither.",
        ),
        (
            {"deliberation_ends_at": datetime(2026, 5, 31, 12, 0)},
            "deliberation_ends_at",
            "The deliberation cannot end before the vote ends.",
        ),
        (
            {
                "vote_starts_at": None,
                "vote_ends_at": None,
                "deliberation_ends_at": datetime(2026, 4, 1),
            },
            "deliberation_ends_at",
            "The deliberation cannot end before the collection of proposals ends.",
        ),
        ({"pillar_ids": []}, "pillar_ids", "Choose at least one pillar."),
        (
            {"support_cap": 0},
            "support_cap",
            "The cap must be at least 1, or left empty for no cap.",
        ),
        ({"paper_grace_days": -1}, "paper_grace_days", "Enter a number of days between 0 and 365."),
        (
            {"paper_grace_days": 366},
            "paper_grace_days",
            "Enter a number of days between 0 and 365.",
        ),
        (
            {"paper_grace_days": None},
            "paper_grace_days",
            "Enter a number of days between 0 and 365.",
        ),
        (
            {"stickers_per_person": 0},
            "stickers_per_person",
            "Enter a number of stickers between 1 and 100.",
        ),
        (
            {"stickers_per_person": 101},
            "stickers_per_person",
            "Enter a number of stickers between 1 and 100.",
        ),
        ({"title": "  "}, "title", "Give the round a title."),
        ({"title": "x" * 201}, "title", "The title has at most 200 characters."),
        ({"slug": "new"}, "slug", "The address “new” is reserved: choose another one."),
        ({"title": "???"}, "slug", "Choose an address made of letters and digits."),
    ],
)
def test_each_broken_rule_is_told_next_to_its_field(fields, field, message):
    assert round_problems(round_input(**fields)) == {field: message}


def test_a_cap_of_one_is_allowed():
    assert round_problems(round_input(support_cap=1)) == {}


def test_workshop_settings_accept_their_bounds():
    for days, stickers in ((0, 1), (365, 100)):
        settings = round_input(paper_grace_days=days, stickers_per_person=stickers)
        assert round_problems(settings) == {}


def test_the_order_is_checked_in_utc_across_the_autumn_clock_change():
    # 02:10 in winter time comes after 02:50 in summer time, but both read as summer time.
    same_night = round_input(
        collect_starts_at=datetime(2026, 10, 25, 2, 50),
        collect_ends_at=datetime(2026, 10, 25, 2, 10),
    )
    assert "collect_ends_at" in round_problems(same_night)


# --- creating and editing ------------------------------------------------------------------


def with_slug(round_: Round, slug: str) -> Round:
    round_.slug = slug
    db.session.commit()
    return round_


@pytest.fixture
def admin(create_user):
    return create_user(role=Role.ADMIN)


@pytest.fixture
def pillars(create_pillar):
    return [
        create_pillar(name_fr="Mobilité / Transports"),
        create_pillar(name_fr="Santé / Bien-être"),
    ]


def test_admin_creates_a_round_stored_in_utc(admin, pillars):
    data = round_input(
        pillar_ids=[pillars[1].id, pillars[0].id],
        support_cap=5,
        premoderation=True,
        summary=" Un résumé. ",
        description="**Bienvenue**",
    )
    round_ = services.create_round(admin, data)
    db.session.commit()

    stored = db.session.get(Round, round_.id)
    assert stored.slug == "bethune-a-2032"
    assert stored.collect_starts_at == datetime(2026, 3, 1, 8, 0)  # winter: UTC+1
    assert stored.collect_ends_at == datetime(2026, 4, 30, 21, 59)  # summer: UTC+2
    assert stored.vote_starts_at == datetime(2026, 4, 30, 22, 0)
    assert stored.vote_ends_at == datetime(2026, 5, 31, 21, 59)
    assert stored.deliberation_ends_at == datetime(2026, 9, 30, 21, 59)
    assert stored.pillars == pillars  # in the pillars' order
    assert stored.support_cap == 5 and stored.premoderation
    assert stored.summary == "Un résumé." and stored.description == "**Bienvenue**"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round.create"))
    assert entry.actor_id == admin.id and entry.target_id == round_.id
    assert entry.after["slug"] == "bethune-a-2032"


def test_a_typed_address_is_tidied(admin, pillars):
    round_ = services.create_round(
        admin, round_input(slug=" Concertation Été 2026 ", pillar_ids=[pillars[0].id])
    )
    assert round_.slug == "concertation-ete-2026"


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACILITATOR, Role.MODERATOR])
def test_only_an_admin_creates_or_edits_a_round(create_user, create_round, pillars, role):
    someone = create_user(role=role)
    with pytest.raises(NotAllowed):
        services.create_round(someone, round_input(pillar_ids=[pillars[0].id]))
    existing = create_round(title="Avant")
    with pytest.raises(NotAllowed):
        services.update_round(someone, existing, round_input(pillar_ids=[pillars[0].id]))
    assert existing.title == "Avant"


def test_an_address_already_taken_is_refused(admin, pillars, create_round):
    with_slug(create_round(), "bethune-a-2032")
    with pytest.raises(services.SlugTaken) as refused:
        services.create_round(admin, round_input(pillar_ids=[pillars[0].id]))
    assert refused.value.problems == {
        "slug": "The address “bethune-a-2032” is already used by another round: choose another one."
    }
    assert db.session.scalar(select(func.count()).select_from(Round)) == 1


def test_the_database_decides_between_two_admins_taking_the_same_address(
    admin, pillars, create_round, monkeypatch
):
    with_slug(create_round(), "bethune-a-2032")
    real_check = services._slug_used
    calls = []

    def check_too_late(slug, other_than):
        # The first check runs before the other admin's round exists.
        calls.append(slug)
        return False if len(calls) == 1 else real_check(slug, other_than)

    monkeypatch.setattr(services, "_slug_used", check_too_late)
    with pytest.raises(services.SlugTaken):
        services.create_round(admin, round_input(pillar_ids=[pillars[0].id]))
    # The savepoint kept the transaction usable.
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Round)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_pillars_must_exist(admin, pillars):
    with pytest.raises(services.RoundInvalid) as refused:
        services.create_round(admin, round_input(pillar_ids=[pillars[0].id, 999999]))
    assert refused.value.problems == {"pillar_ids": "Choose pillars from the list."}


def test_every_problem_is_reported_at_once(admin, create_round):
    with_slug(create_round(), "bethune-a-2032")
    with pytest.raises(services.SlugTaken) as refused:
        services.create_round(admin, round_input(pillar_ids=[], support_cap=0, vote_ends_at=None))
    assert set(refused.value.problems) == {"slug", "pillar_ids", "support_cap", "vote_ends_at"}


def test_admin_edits_a_round(admin, pillars, create_round):
    round_ = with_slug(create_round(pillars=[pillars[0]]), "ancienne-adresse")
    services.update_round(
        admin,
        round_,
        round_input(
            title="Nouveau titre", slug="", pillar_ids=[p.id for p in pillars], support_cap=None
        ),
    )
    db.session.commit()

    assert round_.slug == "nouveau-titre"
    assert round_.pillars == pillars
    assert round_.collect_starts_at == datetime(2026, 3, 1, 8, 0)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round.update"))
    assert entry.before["slug"] == "ancienne-adresse" and entry.after["slug"] == "nouveau-titre"


def test_admin_sets_the_workshop_rules_of_a_round(admin, pillars, create_round):
    round_ = create_round(pillars=[pillars[0]])
    assert (round_.paper_grace_days, round_.stickers_per_person) == (14, 5)
    services.update_round(
        admin,
        round_,
        round_input(pillar_ids=[pillars[0].id], paper_grace_days=30, stickers_per_person=8),
    )
    db.session.commit()
    assert (round_.paper_grace_days, round_.stickers_per_person) == (30, 8)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round.update"))
    assert (entry.before["paper_grace_days"], entry.after["paper_grace_days"]) == (14, 30)
    assert (entry.before["stickers_per_person"], entry.after["stickers_per_person"]) == (5, 8)
    assert services.round_input(round_).stickers_per_person == 8


def test_stickers_per_person_stay_enough_for_the_votes_already_counted(
    admin, pillars, create_round, create_proposal, create_user
):
    from participation.models import Workshop
    from participation.workshops import paper

    round_ = create_round(pillars=[pillars[0]])
    facilitator = create_user(role=Role.FACILITATOR)
    workshop = Workshop(
        round=round_,
        title="Atelier",
        place="Salle",
        starts_at=utcnow() - timedelta(hours=3),
        ends_at=utcnow() - timedelta(hours=1),
        facilitators=[facilitator],
    )
    db.session.add(workshop)
    paper.set_attendance(workshop, facilitator, 4)
    paper.set_paper_supports(workshop, facilitator, create_proposal(round=round_), 13)
    db.session.commit()
    # 13 stickers from 4 participants: each had at least 4.
    with pytest.raises(services.RoundInvalid) as refused:
        services.update_round(
            admin, round_, round_input(pillar_ids=[pillars[0].id], stickers_per_person=3)
        )
    assert refused.value.problems == {
        "stickers_per_person": "The sticker votes already counted at a workshop of this round "
        "need at least 4 stickers per participant."
    }
    db.session.rollback()
    services.update_round(
        admin, round_, round_input(pillar_ids=[pillars[0].id], stickers_per_person=4)
    )
    assert round_.stickers_per_person == 4


def test_a_round_keeps_its_own_address(admin, pillars, create_round):
    round_ = with_slug(create_round(pillars=[pillars[0]]), "bethune-a-2032")
    services.update_round(
        admin, round_, round_input(slug="bethune-a-2032", pillar_ids=[pillars[0].id])
    )
    assert round_.slug == "bethune-a-2032"


def test_an_untouched_end_keeps_its_seconds(admin, pillars, create_round):
    # The form shows minutes: 23:59:59 comes back as 23:59.
    last_second = paris_to_utc(datetime(2026, 4, 30, 23, 59, 59))
    round_ = create_round(
        pillars=[pillars[0]],
        collect_starts_at=paris_to_utc(datetime(2026, 3, 1, 9, 0)),
        collect_ends_at=last_second,
    )
    services.update_round(admin, round_, round_input(pillar_ids=[pillars[0].id]))
    assert round_.collect_ends_at == last_second
    services.update_round(
        admin,
        round_,
        round_input(pillar_ids=[pillars[0].id], collect_ends_at=datetime(2026, 4, 30, 23, 58)),
    )
    assert round_.collect_ends_at == datetime(2026, 4, 30, 21, 58)


def test_a_pillar_with_proposals_stays_in_its_round(admin, pillars, create_round, create_proposal):
    round_ = create_round(pillars=pillars)
    create_proposal(round=round_, pillar=pillars[1])
    with pytest.raises(services.RoundInvalid) as refused:
        services.update_round(admin, round_, round_input(pillar_ids=[pillars[0].id]))
    assert refused.value.problems == {
        "pillar_ids": "These pillars already have proposals in this round and must stay: "
        f"{pillars[1].name}."
    }
    assert round_.pillars == pillars
    # A pillar without proposals can go.
    services.update_round(admin, round_, round_input(pillar_ids=[pillars[1].id]))
    assert round_.pillars == [pillars[1]]


# --- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "states"),
    [
        ("collecting", ["current", "to_come", "to_come", "to_come"]),
        ("voting", ["done", "current", "to_come", "to_come"]),
        ("deliberation", ["done", "done", "current", "to_come"]),
        ("closed", ["done", "done", "done", "current"]),
    ],
)
def test_calendar_steps_mark_where_the_round_stands(create_round, phase, states):
    round_ = create_round(phase=phase)
    steps = calendar_steps(round_)
    assert [s.phase for s in steps] == [
        RoundPhase.COLLECTING,
        RoundPhase.VOTING,
        RoundPhase.DELIBERATION,
        RoundPhase.CLOSED,
    ]
    assert [s.state for s in steps] == states
    assert (steps[0].starts_at, steps[0].ends_at) == (
        round_.collect_starts_at,
        round_.collect_ends_at,
    )
    assert (steps[1].starts_at, steps[1].ends_at) == (round_.vote_starts_at, round_.vote_ends_at)
    assert (steps[2].starts_at, steps[2].ends_at) == (
        round_.vote_ends_at,
        round_.deliberation_ends_at,
    )
    assert (steps[3].starts_at, steps[3].ends_at) == (round_.deliberation_ends_at, None)


def test_an_upcoming_round_shows_its_wait_as_the_first_step(create_round):
    round_ = create_round(phase="upcoming")
    steps = calendar_steps(round_)
    assert [s.phase for s in steps] == list(RoundPhase)
    assert [s.state for s in steps] == ["current"] + ["to_come"] * 4
    assert (steps[0].starts_at, steps[0].ends_at) == (None, round_.collect_starts_at)


def test_calendar_steps_leave_out_the_phases_a_round_does_not_have(create_round):
    round_ = create_round(phase="closed", vote_starts_at=None, vote_ends_at=None)
    steps = calendar_steps(round_)
    assert [s.phase for s in steps] == [
        RoundPhase.COLLECTING,
        RoundPhase.DELIBERATION,
        RoundPhase.CLOSED,
    ]
    assert steps[1].starts_at == round_.collect_ends_at
    later = calendar_steps(round_, now=round_.collect_ends_at - timedelta(seconds=1))
    assert [s.state for s in later] == ["current", "to_come", "to_come"]


def test_pillars_with_counts_count_only_visible_proposals(
    create_round, create_pillar, create_proposal
):
    first, second, empty = create_pillar(), create_pillar(), create_pillar()
    round_ = create_round(pillars=[first, second, empty])
    other_round = create_round(pillars=[first])
    for _ in range(3):
        create_proposal(round=round_, pillar=first)
    create_proposal(round=round_, pillar=second)
    create_proposal(round=round_, pillar=second, status="submitted")  # awaiting moderation
    create_proposal(round=round_, pillar=second, hidden_at=utcnow())
    create_proposal(round=round_, pillar=second, status="not_retained")
    create_proposal(round=other_round, pillar=first)

    assert pillars_with_counts(round_) == [(first, 3), (second, 2), (empty, 0)]
    # The statement is built once: each round is given its own counts.
    assert pillars_with_counts(other_round) == [(first, 1)]
    assert pillars_with_counts(round_) == [(first, 3), (second, 2), (empty, 0)]
