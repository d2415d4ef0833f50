"""CSV downloads of the framework deliberations and of the masterplan, read back as a spreadsheet
program would: UTF-8 with a byte-order mark, ';' between columns."""

from datetime import date

import pytest

from participation.deliberations import tracking
from participation.extensions import db
from participation.models import MasterplanStatus

from .conftest import EN, parse_csv

HEADER = [
    "Number",
    "Council date",
    "Pillar",
    "Title",
    "Status",
    "Status code",
    "Carried by",
    "Last progress date",
    "Last progress",
    "Proposals",
]


@pytest.fixture
def tracked(promoted, moderator, create_deliberation, create_pillar):
    """The promoted deliberation, tracked, beside a 2018 one in another pillar."""
    tracking.update_tracking(
        promoted, moderator, MasterplanStatus.IN_PROGRESS, "Association Les Jardins d'Émile"
    )
    tracking.add_progress_note(promoted, moderator, date(2027, 5, 3), "Premiers arbres plantés")
    tracking.add_progress_note(promoted, moderator, date(2027, 3, 1), "Terrain choisi")
    db.session.commit()
    archived = create_deliberation(
        pillar=create_pillar(name_en="Health / Well-being"),
        number=62,
        title='Création de parcours "sport-santé"; avec bancs',
        masterplan_status="done",
    )
    return promoted, archived


@pytest.mark.parametrize("url", ["/deliberations.csv", "/deliberations/masterplan.csv"])
def test_download_is_an_attachment_in_utf8_with_bom(client, tracked, url):
    response = client.get(url, headers=EN)
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=") and disposition.endswith('.csv"')
    rows = parse_csv(response)
    assert rows[0] == HEADER
    assert len(rows) == 3


def test_row_has_every_column_with_accents(client, tracked):
    promoted, archived = tracked
    rows = parse_csv(client.get("/deliberations/masterplan.csv", headers=EN))
    by_title = {row[3]: row for row in rows[1:]}

    first, second = promoted.proposals
    assert by_title["Un verger dans chaque école"] == [
        "1",
        "2027-02-01",
        promoted.pillar.name_en,
        "Un verger dans chaque école",
        "In progress",
        "in_progress",
        "Association Les Jardins d'Émile",
        # The latest note by its date, even if another was recorded after it.
        "2027-05-03",
        "Premiers arbres plantés",
        f"{first.code} {second.code}",
    ]
    # Quotes and separators inside a title survive the round trip.
    row = by_title['Création de parcours "sport-santé"; avec bancs']
    assert row[:7] == [
        "62",
        "2018-12-11",
        "Health / Well-being",
        'Création de parcours "sport-santé"; avec bancs',
        "Done",
        "done",
        "Ville de Béthune",
    ]
    assert row[7:] == ["", "", ""]


def test_rows_come_in_the_order_of_the_list(client, tracked):
    rows = parse_csv(client.get("/deliberations.csv", headers=EN))
    assert [row[1] for row in rows[1:]] == ["2027-02-01", "2018-12-11"]  # newest council first


def test_downloads_take_the_filters_of_their_page(client, tracked):
    promoted, archived = tracked
    by_pillar = parse_csv(client.get(f"/deliberations.csv?pillar={archived.pillar_id}"))
    assert [row[0] for row in by_pillar[1:]] == ["62"]

    by_status = parse_csv(client.get("/deliberations/masterplan.csv?status=in_progress"))
    assert [row[0] for row in by_status[1:]] == ["1"]

    by_carrier = parse_csv(
        client.get("/deliberations/masterplan.csv?carrier=Association+Les+Jardins+d%27%C3%89mile")
    )
    assert [row[0] for row in by_carrier[1:]] == ["1"]

    nothing = parse_csv(client.get("/deliberations/masterplan.csv?status=project"))
    assert len(nothing) == 1  # the header alone


def test_old_address_of_the_list_download_still_answers(client, tracked):
    rows = parse_csv(client.get("/deliberations/deliberations.csv", headers=EN))
    assert rows[0] == HEADER and len(rows) == 3


def test_status_label_follows_the_page_language(client, tracked):
    rows = parse_csv(client.get("/deliberations.csv", headers=EN))
    assert {row[4] for row in rows[1:]} == {"In progress", "Done"}
    # The code column does not change with the language: it is what scripts filter on.
    french = parse_csv(client.get("/deliberations.csv", headers={"Accept-Language": "fr"}))
    assert [row[5] for row in french[1:]] == [row[5] for row in rows[1:]]
