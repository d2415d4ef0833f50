"""What visitors read: the masterplan with its filters and counts, an action's page and trail,
the carriers, the CSV download and the printable page, with the city's and partners' actions."""

import re
from datetime import date
from html import unescape

import pytest

from participation.extensions import db
from participation.masterplan import tracking

from .conftest import EN, parse_csv


def get(client, url: str, headers=EN) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return unescape(response.text)


def status_counts(html: str) -> dict[str, int]:
    found = re.findall(
        r'badge--(\w+)">[^<]+</span> <strong class="status-counts__count">(\d+)<', html
    )
    return {status: int(count) for status, count in found}


@pytest.fixture
def plan(create_pillar, create_deliberation, create_action, garden, school, moderator):
    """Two city actions from deliberations, two partner actions, one waiting for the city."""
    mobility = create_pillar(name_en="Mobility", slug="mobilite")
    housing = create_pillar(name_en="Housing", slug="habitat")
    bus = create_deliberation(
        pillar=mobility, number=1, title="Navettes électriques", masterplan_status="in_progress"
    )
    trees = create_deliberation(pillar=housing, number=2, title="Arbres en ville")
    compost = create_action(
        carrier=garden, pillar=housing, title="Composteur partagé", status="done", percent=100
    )
    create_action(carrier=school, pillar=housing, title="Potager de l'école", status="in_progress")
    create_action(carrier=garden, pillar=housing, title="Idée en attente", review="proposed")
    tracking.add_progress_note(compost, moderator, date(2027, 5, 3), "Inauguré")
    db.session.commit()
    return {"bus": bus.action, "trees": trees.action, "compost": compost, "mobility": mobility}


def test_masterplan_lists_city_and_partner_actions_with_counts(client, plan):
    text = get(client, "/masterplan/")
    assert "4 actions" in text
    for title in ("Navettes électriques", "Arbres en ville", "Composteur partagé"):
        assert title in text
    assert "Idée en attente" not in text  # not accepted by the city
    assert status_counts(text) == {"project": 1, "in_progress": 2, "done": 1}
    assert "Framework deliberation no. 2018-12-11/1" in text
    assert "100% done" in text and "Inauguré" in text
    # Rows become cards on phones: every cell names its column.
    assert 'data-label="Status"' in text and 'data-label="Carried by"' in text


def test_masterplan_filters_by_pillar_kind_carrier_and_status(client, plan, garden, school):
    text = get(client, f"/masterplan/?pillar={plan['mobility'].id}")
    assert "1 action" in text and "Navettes électriques" in text
    text = get(client, "/masterplan/?kind=association")
    assert "Composteur partagé" in text and "Navettes électriques" not in text
    text = get(client, f"/masterplan/?carrier={school.id}")
    assert "Potager de l'école" in text and "Composteur partagé" not in text
    text = get(client, "/masterplan/?kind=city&status=in_progress")
    assert "1 action" in text and "Navettes électriques" in text
    assert status_counts(text) == {"project": 1, "in_progress": 1, "done": 0}
    # Unknown filters are ignored, not an error.
    assert "4 actions" in get(client, "/masterplan/?kind=nobody&status=x&pillar=abc&page=y")


def test_counts_by_pillar_and_status(client, plan):
    text = get(client, "/masterplan/")
    table = text.split('class="masterplan-counts"')[1].split("</table>")[0]
    housing = table.split(">Housing</a></th>")[1].split("</tr>")[0]
    assert re.findall(r"<td[^>]*>(\d+)</td>", housing) == ["1", "1", "1"]


def test_action_page_shows_its_trail_from_the_idea_to_its_progress(client, promoted, moderator):
    action = promoted.action
    tracking.add_progress_note(action, moderator, date(2027, 5, 3), "Premiers arbres plantés")
    db.session.commit()
    text = get(client, f"/masterplan/actions/{action.id}")
    trail = text.split('id="trail-title"')[1]
    idea = trail.index(promoted.proposals[0].code)
    council = trail.index("Framework deliberation no. 2027-02-01/1")
    progress = trail.index("Premiers arbres plantés")
    assert idea < council < progress
    assert 'href="/masterplan/carriers/ville-de-bethune"' in text
    assert "Update the tracking" not in text


def test_carrier_directory_and_page(client, plan, garden):
    text = get(client, "/masterplan/carriers/")
    assert "Les Jardins d'Émile" in text and "École Jules-Ferry" in text
    assert "Association" in text and "School" in text
    text = get(client, f"/masterplan/carriers/{garden.slug}")
    assert "Composteur partagé" in text and "Idée en attente" not in text
    assert 'href="https://jardins.example"' in text
    assert "Propose an action" not in text


def test_csv_holds_the_city_and_partner_actions(client, plan, garden):
    response = client.get("/masterplan/masterplan.csv", headers=EN)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="plan-d-actions'
    )
    rows = parse_csv(response)
    assert rows[0][:7] == [
        "Action",
        "Title",
        "Pillar",
        "Carried by",
        "Kind of carrier",
        "Status",
        "Status code",
    ]
    by_title = {row[1]: row for row in rows[1:]}
    assert set(by_title) == {
        "Navettes électriques",
        "Arbres en ville",
        "Composteur partagé",
        "Potager de l'école",
    }
    compost = by_title["Composteur partagé"]
    assert compost[3:7] == ["Les Jardins d'Émile", "Association", "Done", "done"]
    assert (compost[10], compost[11], compost[14]) == ("100", "", "Inauguré")
    assert by_title["Navettes électriques"][11] == "2018-12-11/1"
    assert by_title["Navettes électriques"][3] == "Ville de Béthune"
    # Filters apply to the download too.
    rows = parse_csv(client.get("/masterplan/masterplan.csv?kind=school", headers=EN))
    assert [row[1] for row in rows[1:]] == ["Potager de l'école"]


def test_printable_page_with_city_and_partner_actions_and_its_date(client, plan):
    text = get(client, "/masterplan/print")
    assert "Last updated on" in text
    assert "4 actions" in text
    for title in ("Navettes électriques", "Composteur partagé", "Potager de l'école"):
        assert title in text
    assert "Idée en attente" not in text
    french = get(client, "/masterplan/print", headers={"Accept-Language": "fr"})
    assert "Plan d’actions" in french and "Mis à jour le" in french
    assert "Réalisé\u00a0: 1" in french


def test_one_name_for_the_masterplan_in_french(client, plan, promoted):
    pages = [
        "/masterplan/",
        "/masterplan/print",
        "/masterplan/carriers/",
        f"/masterplan/actions/{plan['compost'].id}",
        "/deliberations/",
        f"/deliberations/{promoted.id}",
    ]
    for url in pages:
        text = get(client, url, headers={"Accept-Language": "fr"}).lower()
        assert "schéma directeur" not in text and "plan directeur" not in text, url
