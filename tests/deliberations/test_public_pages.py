"""What visitors read: the list by council session and pillar, a deliberation, the masterplan."""

import re
from collections import Counter
from datetime import date
from html import unescape

import pytest

from participation.deliberations import tracking
from participation.extensions import db
from participation.models import MasterplanStatus

from .conftest import EN


def get(client, url: str, headers=EN) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return unescape(response.text)


def ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def status_counts(html: str) -> dict[str, int]:
    found = re.findall(
        r'badge--(\w+)">[^<]+</span> <strong class="status-counts__count">(\d+)<', html
    )
    return {status: int(count) for status, count in found}


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
    assert 'href="/deliberations/masterplan"' in text and 'href="/deliberations.csv"' in text
    assert "use your browser's Print command" in text
    assert 'href="/deliberations/promote"' not in text
    sign_in(create_user(role="facilitator"))
    assert 'href="/deliberations/promote"' not in get(client, "/deliberations/")
    sign_in(moderator)
    text = get(client, "/deliberations/")
    assert 'href="/deliberations/promote"' in text
    assert 'href="/deliberations/sessions/new"' in text


# --- a deliberation ------------------------------------------------------------------------


def test_detail_shows_the_deliberation_its_tracking_and_its_proposals(client, promoted, moderator):
    tracking.update_tracking(promoted, moderator, MasterplanStatus.IN_PROGRESS, "Lycée Blaringhem")
    tracking.add_progress_note(promoted, moderator, date(2027, 3, 1), "Le terrain est choisi")
    tracking.add_progress_note(promoted, moderator, date(2027, 5, 3), "Premiers arbres plantés")
    db.session.commit()

    text = get(client, f"/deliberations/{promoted.id}")

    assert text.count("<h1>") == 1
    assert "No. 1" in text and 'lang="fr">Un verger dans chaque école</span>' in text
    assert "Conseil municipal" in text and "February 1, 2027" in text
    assert f'href="/pillars/{promoted.pillar.slug}"' in text
    assert '<span class="badge badge--in_progress">In progress</span>' in text
    assert "Lycée Blaringhem" in text
    assert "<p>Planter des arbres fruitiers.</p>" in text  # paragraphs of the text
    # Progress notes, newest first, dated.
    assert text.index("Premiers arbres plantés") < text.index("Le terrain est choisi")
    assert '<time datetime="2027-03-01">March 1, 2027</time>' in text
    for proposal in promoted.proposals:
        assert f'href="/rounds/{proposal.round.slug}/proposals/{proposal.number}"' in text
        assert proposal.title in text
    assert "Update the tracking" not in text  # visitors see no moderator form


def test_detail_of_a_2018_deliberation_says_where_it_came_from(client, create_deliberation):
    archived = create_deliberation(title="Création de parcours de sport-santé", number=62)
    text = get(client, f"/deliberations/{archived.id}")
    assert "comes from the 2018 Smart Days" in text
    assert "No progress has been published yet." in text
    assert '<span class="badge badge--project">Project</span>' in text


def test_detail_shows_the_moderator_forms_to_moderators_only(
    client, promoted, moderator, create_user, sign_in
):
    for role in ("resident", "facilitator"):
        sign_in(create_user(role=role))
        assert "Publish a progress note" not in get(client, f"/deliberations/{promoted.id}")
    sign_in(moderator)
    text = get(client, f"/deliberations/{promoted.id}")
    assert "Update the tracking" in text and "Publish a progress note" in text
    assert f'action="/deliberations/{promoted.id}/tracking"' in text
    assert f'action="/deliberations/{promoted.id}/notes"' in text
    # Two forms side by side, every id once (both have a "status" field).
    assert not [i for i, n in Counter(ids(text)).items() if n > 1]
    assert '<label for="tracking-status">' in text and '<label for="note-status">' in text


def test_unknown_deliberation_is_not_found(client):
    assert client.get("/deliberations/999999").status_code == 404


def test_unknown_deliberation_is_not_found_for_moderators_either(client, moderator, sign_in):
    sign_in(moderator)
    assert client.get("/deliberations/999999/tracking").status_code == 404
    assert client.post("/deliberations/999999/notes").status_code == 404


# --- the masterplan ------------------------------------------------------------------------


@pytest.fixture
def actions(create_deliberation, create_pillar):
    mobility = create_pillar(name_en="Mobility", slug="mobilite")
    culture = create_pillar(name_en="Culture", slug="culture")
    rows = [
        (mobility, "Pistes cyclables", "done", "Ville de Béthune"),
        (mobility, "Vélos en libre-service", "in_progress", "Entreprise Véloce"),
        (mobility, "Navette électrique", "project", "Ville de Béthune"),
        (mobility, "Covoiturage des parents", "in_progress", "Association des parents d'élèves"),
        (culture, "Fresques du beffroi", "in_progress", "Ville de Béthune"),
        (culture, "Concerts dans les écoles", "done", "École Jules-Ferry"),
    ]
    return {
        title: create_deliberation(pillar=p, title=title, masterplan_status=s, carrier=c)
        for p, title, s, c in rows
    }


def test_masterplan_counts_per_status(client, actions):
    text = get(client, "/deliberations/masterplan")
    assert "6 actions" in text
    assert status_counts(text) == {"project": 1, "in_progress": 3, "done": 2}
    assert [label for label in ("Project", "In progress", "Done") if label in text] == [
        "Project",
        "In progress",
        "Done",
    ]


def test_masterplan_filters_by_pillar_status_and_carrier(client, actions):
    mobility = actions["Pistes cyclables"].pillar_id

    text = get(client, f"/deliberations/masterplan?pillar={mobility}")
    assert "4 actions" in text and "Fresques du beffroi" not in text
    assert status_counts(text) == {"project": 1, "in_progress": 2, "done": 1}

    text = get(client, f"/deliberations/masterplan?pillar={mobility}&status=in_progress")
    assert "2 actions" in text
    assert "Vélos en libre-service" in text and "Covoiturage des parents" in text
    assert "Pistes cyclables" not in text and "Navette électrique" not in text
    # The counts stay those of the pillar: they show what the other statuses hold.
    assert status_counts(text) == {"project": 1, "in_progress": 2, "done": 1}
    assert 'aria-current="true"' in text

    text = get(client, "/deliberations/masterplan?carrier=Ville+de+B%C3%A9thune")
    assert "3 actions" in text and "Vélos en libre-service" not in text
    assert status_counts(text) == {"project": 1, "in_progress": 1, "done": 1}

    text = get(client, "/deliberations/masterplan?status=done&carrier=%C3%89cole+Jules-Ferry")
    assert "1 action" in text and "Concerts dans les écoles" in text


def test_masterplan_carriers_come_once_each_in_the_filter(client, actions):
    text = get(client, "/deliberations/masterplan")
    carrier_select = text.split('id="mp-carrier"')[1].split("</select>")[0]
    options = re.findall(r'<option value="([^"]+)"', carrier_select)
    # Their order is the database's collation (accents sort differently on SQLite and PostgreSQL).
    assert sorted(options) == sorted(
        [
            "Association des parents d'élèves",
            "Entreprise Véloce",
            "Ville de Béthune",
            "École Jules-Ferry",
        ]
    )


def test_masterplan_ignores_unknown_filters(client, actions):
    text = get(client, "/deliberations/masterplan?pillar=abc&status=abandoned&page=x")
    assert "6 actions" in text
    assert "No action matches these criteria." in get(
        client, "/deliberations/masterplan?carrier=Personne"
    )


def test_masterplan_shows_the_latest_note_and_links_each_action(client, actions, moderator):
    action = actions["Navette électrique"]
    tracking.add_progress_note(action, moderator, date(2027, 6, 1), "Essais sur la ligne 1")
    # Recorded later, but about an earlier day: not the latest news.
    tracking.add_progress_note(action, moderator, date(2027, 1, 15), "Étude lancée")
    db.session.commit()
    text = get(client, "/deliberations/masterplan")
    row = text.split(f'href="/deliberations/{action.id}"')[1].split("</tr>")[0]
    assert "Essais sur la ligne 1" in row and "Étude lancée" not in row
    assert '<time datetime="2027-06-01"' in row


def test_masterplan_is_printable_and_downloadable_with_its_filters(client, actions):
    mobility = actions["Pistes cyclables"].pillar_id
    text = get(client, f"/deliberations/masterplan?pillar={mobility}&status=done")
    assert f'href="/deliberations/masterplan.csv?pillar={mobility}&status=done"' in text
    assert "use your browser's Print command" in text
    assert '<caption class="visually-hidden">Masterplan</caption>' in text
    assert text.count('<th scope="col">') == 6 and '<th scope="row">' in text


def test_pages_speak_french_by_default(client, actions):
    text = get(client, "/deliberations/masterplan", headers={"Accept-Language": "fr"})
    assert '<html lang="fr">' in text
    # French content on a French page needs no lang attribute of its own.
    assert 'lang="fr"' not in text.split("<body>", 1)[1]
