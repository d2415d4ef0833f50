"""What visitors read: the list by council session and pillar, a deliberation and its action."""

import re
from collections import Counter
from datetime import date
from html import unescape

import pytest

from participation.extensions import db
from participation.masterplan import tracking
from participation.models import MasterplanStatus

from .conftest import EN


def get(client, url: str, headers=EN) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return unescape(response.text)


def ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


@pytest.fixture
def two_sessions(create_deliberation, create_pillar):
    housing = create_pillar(name_en="Housing", position=1, slug="habitat")
    health = create_pillar(name_en="Health", position=2, slug="sante")
    made = {
        "old_health": create_deliberation(pillar=health, number=60, title="Parcours sport-santé"),
        "old_housing": create_deliberation(pillar=housing, number=3, title="Jardins partagés"),
        "new_housing": create_deliberation(
            pillar=housing, number=1, title="Rénovation énergétique", held_on=date(2027, 2, 1)
        ),
    }
    return made


# --- the list ------------------------------------------------------------------------------


def test_list_groups_by_council_session_then_pillar(client, two_sessions):
    text = get(client, "/deliberations/")

    assert "3 framework deliberations" in text
    sessions = re.findall(r'<h2 id="session-\d+">([^<]+)</h2>', text)
    assert sessions == ["Council of February 1, 2027", "Council of December 11, 2018"]
    newest, oldest = text.split('class="council-session"')[1:]
    assert "Rénovation énergétique" in newest and "Jardins partagés" not in newest
    assert oldest.index(">Housing</a>") < oldest.index(">Health</a>")
    assert "(1 deliberation)" in oldest
    for deliberation in two_sessions.values():
        assert f'href="/deliberations/{deliberation.id}"' in text
    # The same pillar in two sessions: each heading keeps its own id.
    assert not [i for i, n in Counter(ids(text)).items() if n > 1]


def test_list_filters_by_pillar_across_sessions(client, two_sessions):
    text = get(client, "/deliberations/?pillar=habitat")
    assert "2 framework deliberations" in text
    assert "Rénovation énergétique" in text and "Jardins partagés" in text
    assert "Parcours sport-santé" not in text
    assert f'href="/deliberations.csv?pillar={two_sessions["old_housing"].pillar_id}"' in text


def test_list_offers_masterplan_csv_and_print_and_moderator_links_to_moderators_only(
    client, two_sessions, moderator, create_user, sign_in
):
    text = get(client, "/deliberations/")
    assert 'href="/masterplan/"' in text and 'href="/deliberations.csv"' in text
    assert "use your browser's Print command" in text
    assert 'href="/deliberations/promote"' not in text
    sign_in(create_user(role="facilitator"))
    assert 'href="/deliberations/promote"' not in get(client, "/deliberations/")
    sign_in(moderator)
    text = get(client, "/deliberations/")
    assert 'href="/deliberations/promote"' in text
    assert 'href="/deliberations/sessions/new"' in text


# --- a deliberation ------------------------------------------------------------------------


def test_detail_shows_the_deliberation_its_action_and_its_proposals(
    client, promoted, moderator, create_carrier
):
    action = promoted.action
    lycee = create_carrier("Lycée Blaringhem", kind="school")
    tracking.update_tracking(
        action,
        moderator,
        tracking.TrackingInput(MasterplanStatus.IN_PROGRESS, lycee.id, percent=40),
    )
    tracking.add_progress_note(action, moderator, date(2027, 3, 1), "Le terrain est choisi")
    tracking.add_progress_note(action, moderator, date(2027, 5, 3), "Premiers arbres plantés")
    db.session.commit()

    text = get(client, f"/deliberations/{promoted.id}")

    assert text.count("<h1>") == 1
    assert "No. 2027-02-01/1" in text and 'lang="fr">Un verger dans chaque école</span>' in text
    assert "Conseil municipal" in text and "February 1, 2027" in text
    assert f'href="/pillars/{promoted.pillar.slug}"' in text
    assert '<span class="badge badge--in_progress">In progress</span>' in text
    assert "40% done" in text
    assert f'href="/masterplan/carriers/{lycee.slug}"' in text and "Lycée Blaringhem" in text
    assert f'href="/masterplan/actions/{action.id}"' in text
    assert "<p>Planter des arbres fruitiers.</p>" in text  # paragraphs of the text
    # Progress notes, newest first, dated.
    assert text.index("Premiers arbres plantés") < text.index("Le terrain est choisi")
    assert '<time datetime="2027-03-01">March 1, 2027</time>' in text
    for proposal in promoted.proposals:
        assert f'href="/rounds/{proposal.round.slug}/proposals/{proposal.number}"' in text
        assert proposal.title in text
    assert "Update the tracking" not in text  # visitors see no moderator link


def test_detail_of_a_2018_deliberation_says_where_it_came_from(client, create_deliberation):
    archived = create_deliberation(title="Création de parcours de sport-santé", number=62)
    text = get(client, f"/deliberations/{archived.id}")
    assert "comes from the 2018 Smart Days" in text
    assert "No progress has been published yet." in text
    assert '<span class="badge badge--project">Project</span>' in text


def test_detail_has_no_form_and_links_moderators_to_the_one_status_control(
    client, promoted, moderator, sign_in
):
    sign_in(moderator)
    text = get(client, f"/deliberations/{promoted.id}")
    assert 'action="/masterplan/' not in text and 'id="status"' not in text
    assert f'href="/masterplan/actions/{promoted.action.id}#tracking-title"' in text


def test_unknown_deliberation_is_not_found(client):
    assert client.get("/deliberations/999999").status_code == 404


def test_unknown_deliberation_is_not_found_for_moderators_either(client, moderator, sign_in):
    sign_in(moderator)
    assert client.get("/deliberations/999999").status_code == 404
