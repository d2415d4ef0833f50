"""Administrators create and edit consultation rounds; nobody else can."""

import re
from datetime import datetime
from html import unescape

import pytest
from sqlalchemy import func, select

from participation.extensions import db
from participation.models import Role, Round
from participation.rounds.services import paris_to_utc

EN = {"Accept-Language": "en"}


@pytest.fixture
def pillars(create_pillar):
    return [
        create_pillar(name_fr="Mobilité / Transports"),
        create_pillar(name_fr="Santé / Bien-être"),
    ]


@pytest.fixture
def admin(client, create_user, sign_in):
    user = create_user(role=Role.ADMIN)
    sign_in(user)
    return user


def form(pillars, **fields):
    values = {
        "title": "Béthune à 2032",
        "slug": "",
        "summary": "Le projet de ville.",
        "description": "Proposez vos **idées**.",
        "collect_starts_at": "2026-03-01T09:00",
        "collect_ends_at": "2026-04-30T23:59",
        "vote_starts_at": "2026-05-01T00:00",
        "vote_ends_at": "2026-05-31T23:59",
        "deliberation_ends_at": "2026-10-25T02:30",
        "pillar_ids": [str(p.id) for p in pillars],
        "support_cap": "10",
        "premoderation": "y",
        "paper_grace_days": "14",
        "stickers_per_person": "5",
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def count_rounds() -> int:
    return db.session.scalar(select(func.count()).select_from(Round))


def test_admin_sees_an_accessible_creation_form(client, admin, pillars):
    page = client.get("/rounds/new", headers=EN)

    assert page.status_code == 200
    text = page.text
    assert text.count("<h1>") == 1
    assert 'type="datetime-local"' in text and 'id="collect_starts_at"' in text
    assert '<label for="collect_starts_at">' in text
    assert "<legend>Pillars covered" in text
    assert (
        text.count('type="checkbox" name="pillar_ids"')
        + text.count('name="pillar_ids" type="checkbox"')
        == 2
    )
    assert f'<label for="pillar_ids-0">{pillars[0].name_en}</label>' in text
    assert 'id="support_cap"' in text and 'type="number"' in text
    # The workshop rules, with their defaults.
    assert '<label for="paper_grace_days">Days to type in paper after a workshop' in text
    assert re.search(r'<input[^>]*id="paper_grace_days"[^>]*value="14"', text)
    assert '<label for="stickers_per_person">Stickers per workshop participant' in text
    assert re.search(r'<input[^>]*id="stickers_per_person"[^>]*value="5"', text)


def test_admin_creates_a_round_with_its_calendar_in_paris_time(client, admin, pillars):
    response = client.post("/rounds/new", data=form(pillars), headers=EN)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/rounds/bethune-a-2032")
    round_ = db.session.scalar(select(Round))
    assert round_.title == "Béthune à 2032" and round_.slug == "bethune-a-2032"
    assert round_.collect_starts_at == datetime(2026, 3, 1, 8, 0)  # CET
    assert round_.collect_ends_at == datetime(2026, 4, 30, 21, 59)  # CEST
    assert round_.vote_starts_at == datetime(2026, 4, 30, 22, 0)
    assert round_.vote_ends_at == datetime(2026, 5, 31, 21, 59)
    # 02:30 happens twice that night: the first one, in summer time.
    assert round_.deliberation_ends_at == datetime(2026, 10, 25, 0, 30)
    assert round_.pillars == pillars
    assert round_.support_cap == 10 and round_.premoderation
    page = client.get(response.headers["Location"], headers=EN).text
    assert "The consultation round “Béthune à 2032” is created." in unescape(page)


def test_optional_parts_may_stay_empty(client, admin, pillars):
    data = form(
        pillars[:1],
        vote_starts_at="",
        vote_ends_at="",
        deliberation_ends_at="",
        support_cap="",
        premoderation=None,
        summary="",
        description="",
    )
    response = client.post("/rounds/new", data=data, headers=EN)

    assert response.status_code == 302
    round_ = db.session.scalar(select(Round))
    assert round_.vote_starts_at is None and round_.deliberation_ends_at is None
    assert round_.support_cap is None and not round_.premoderation


def test_admin_edits_a_round_shown_in_paris_time(client, admin, pillars, create_round):
    round_ = create_round(
        pillars=pillars[:1],
        collect_starts_at=paris_to_utc(datetime(2026, 3, 1, 9, 0)),
        collect_ends_at=paris_to_utc(datetime(2026, 4, 30, 23, 59, 59)),
        vote_starts_at=None,
        vote_ends_at=None,
        deliberation_ends_at=None,
    )
    page = client.get(f"/rounds/{round_.slug}/edit", headers=EN)
    assert page.status_code == 200
    assert 'value="2026-03-01T09:00"' in page.text and 'value="2026-04-30T23:59"' in page.text
    checkbox = '<input {}id="pillar_ids-{}" name="pillar_ids" type="checkbox" value="{}">'
    assert checkbox.format("checked ", 0, pillars[0].id) in page.text
    assert checkbox.format("", 1, pillars[1].id) in page.text

    data = form(
        pillars,
        title="Béthune à 2032, deuxième temps",
        slug="bethune-2032",
        collect_starts_at="2026-03-01T09:00",
        collect_ends_at="2026-04-30T23:59",
        vote_starts_at="2026-05-02T08:15",
        vote_ends_at="2026-05-31T18:00",
        deliberation_ends_at="",
        support_cap="3",
        premoderation=None,
    )
    response = client.post(f"/rounds/{round_.slug}/edit", data=data, headers=EN)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/rounds/bethune-2032")
    db.session.refresh(round_)
    assert round_.title == "Béthune à 2032, deuxième temps"
    assert round_.collect_starts_at == datetime(2026, 3, 1, 8, 0)
    # Left as shown: the last second of the day is kept.
    assert round_.collect_ends_at == datetime(2026, 4, 30, 21, 59, 59)
    assert round_.vote_starts_at == datetime(2026, 5, 2, 6, 15)
    assert round_.vote_ends_at == datetime(2026, 5, 31, 16, 0)
    assert round_.deliberation_ends_at is None
    assert round_.pillars == pillars and round_.support_cap == 3 and not round_.premoderation


def test_admin_sets_the_paper_grace_period_and_the_stickers_per_person(
    client, admin, pillars, create_round
):
    round_ = create_round(pillars=pillars)
    data = form(pillars, paper_grace_days="30", stickers_per_person="8")
    response = client.post(f"/rounds/{round_.slug}/edit", data=data, headers=EN)
    assert response.status_code == 302
    db.session.refresh(round_)
    assert (round_.paper_grace_days, round_.stickers_per_person) == (30, 8)
    page = client.get(f"/rounds/{round_.slug}/edit", headers=EN).text
    assert re.search(r'<input[^>]*id="paper_grace_days"[^>]*value="30"', page)


@pytest.mark.parametrize(
    ("fields", "name", "message"),
    [
        ({"paper_grace_days": "366"}, "paper_grace_days", "between 0 and 365"),
        ({"paper_grace_days": "-1"}, "paper_grace_days", "between 0 and 365"),
        ({"paper_grace_days": ""}, "paper_grace_days", "between 0 and 365"),
        ({"stickers_per_person": "0"}, "stickers_per_person", "between 1 and 100"),
        ({"stickers_per_person": "101"}, "stickers_per_person", "between 1 and 100"),
    ],
)
def test_workshop_rules_out_of_range_are_told(client, admin, pillars, fields, name, message):
    response = client.post("/rounds/new", data=form(pillars, **fields), headers=EN)
    assert response.status_code == 400
    error = re.search(rf'<p class="field-error" id="{name}-error">([^<]*)</p>', response.text)
    assert error and message in error.group(1)
    assert count_rounds() == 0


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACILITATOR, Role.MODERATOR])
def test_other_roles_are_refused(client, create_user, create_round, sign_in, pillars, role):
    round_ = create_round(title="Avant", pillars=pillars)
    sign_in(create_user(role=role))

    assert client.get("/rounds/new").status_code == 403
    assert client.post("/rounds/new", data=form(pillars)).status_code == 403
    assert client.get(f"/rounds/{round_.slug}/edit").status_code == 403
    assert client.post(f"/rounds/{round_.slug}/edit", data=form(pillars)).status_code == 403
    assert count_rounds() == 1
    db.session.refresh(round_)
    assert round_.title == "Avant"


def test_visitors_are_sent_to_sign_in(client, create_round, pillars):
    round_ = create_round(pillars=pillars)
    for url in ("/rounds/new", f"/rounds/{round_.slug}/edit"):
        for response in (client.get(url), client.post(url, data=form(pillars))):
            assert response.status_code == 302
            assert "/sign-in" in response.headers["Location"]
    assert count_rounds() == 1


def test_editing_an_unknown_round_is_not_found(client, admin):
    assert client.get("/rounds/nowhere/edit").status_code == 404


def test_bad_input_keeps_what_was_typed_and_says_what_is_wrong(client, admin, pillars):
    data = form(
        pillars,
        title="Concertation mal datée",
        collect_ends_at="2026-02-01T09:00",
        vote_starts_at="2026-05-01T00:00",
        vote_ends_at="",
        deliberation_ends_at="pas une date",
        pillar_ids=[],
        support_cap="0",
        description="Texte *gardé*",
    )
    response = client.post("/rounds/new", data=data, headers=EN)

    assert response.status_code == 400
    text = unescape(response.text)
    assert count_rounds() == 0
    assert 'value="Concertation mal datée"' in text
    assert 'value="2026-02-01T09:00"' in text and 'value="pas une date"' in text
    assert "Texte *gardé*</textarea>" in text
    assert 'value="0"' in text
    expected = {
        "collect_ends_at": "The collection must end after it starts.",
        "vote_ends_at": "Enter both the start and the end of the vote, or neither.",
        "deliberation_ends_at": "Enter a date and a time.",
        "pillar_ids": "Choose at least one pillar.",
        "support_cap": "The cap must be at least 1, or left empty for no cap.",
    }
    for name, message in expected.items():
        assert f'<p class="field-error" id="{name}-error">{message}</p>' in text, name
    assert 'aria-invalid="true"' in text
    assert "Please correct the following:" in text
    assert '<a href="#pillar_ids">Pillars covered: Choose at least one pillar.</a>' in text


def test_a_missing_title_and_start_are_told(client, admin, pillars):
    response = client.post(
        "/rounds/new", data=form(pillars, title="", collect_starts_at=""), headers=EN
    )

    assert response.status_code == 400
    text = unescape(response.text)
    assert '<p class="field-error" id="title-error">Give the round a title.</p>' in text
    assert (
        '<p class="field-error" id="collect_starts_at-error">Enter a date and a time.</p>' in text
    )
    assert 'id="slug-error"' not in text


def test_a_taken_address_is_told_next_to_it(client, admin, pillars, create_round):
    other = create_round(pillars=pillars)
    response = client.post("/rounds/new", data=form(pillars, slug=other.slug.upper()), headers=EN)

    assert response.status_code == 400
    text = unescape(response.text)
    assert (
        f'<p class="field-error" id="slug-error">The address “{other.slug}” is already used by '
        "another round: choose another one.</p>"
    ) in text
    assert f'value="{other.slug.upper()}"' in text
    assert count_rounds() == 1


def test_the_new_address_is_reserved(client, admin, pillars):
    response = client.post("/rounds/new", data=form(pillars, title="New"), headers=EN)
    assert response.status_code == 400
    assert "is reserved: choose another one." in response.text


def test_an_edit_that_breaks_a_rule_changes_nothing(client, admin, pillars, create_round):
    round_ = create_round(title="Avant", pillars=pillars)
    data = form(pillars, title="Après", vote_ends_at="2026-04-01T00:00")
    response = client.post(f"/rounds/{round_.slug}/edit", data=data, headers=EN)

    assert response.status_code == 400
    assert 'value="Après"' in response.text
    assert "The vote must end after it starts." in response.text
    db.session.refresh(round_)
    assert round_.title == "Avant"
