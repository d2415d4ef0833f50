"""The 2018 round reads for what it was: the Smart Days of October 2018 and the council of
11 December 2018, with its 83 deliberations by pillar, not a live round with zeros."""

import re
from html import unescape

import pytest

from participation.extensions import db
from participation.history.services import import_smart_days_2018

FR = {"Accept-Language": "fr"}


@pytest.fixture
def history(app):
    import_smart_days_2018()
    db.session.commit()


def page(client, url: str) -> str:
    response = client.get(url, headers=FR)
    assert response.status_code == 200
    # Runs of ordinary white space only: the no-break spaces are part of what is tested.
    return re.sub(r"[ \t\r\n]+", " ", unescape(response.text))


def test_the_round_page_tells_the_smart_days_and_the_council(client, history):
    text = page(client, "/rounds/smart-days-2018")

    assert "Du 1er octobre 2018 au 21 octobre 2018\u00a0:" in text
    assert "les Smart Days" in text
    assert "11 décembre 2018\u00a0:" in text
    assert "le conseil municipal a voté 83 délibérations cadres" in text
    assert "ne sont pas enregistrés ici" in text
    # Its deliberations by pillar, and none of a live round's wording.
    assert "(14 délibérations)" in text
    assert "0 proposition" not in text
    assert "apparaissent aussitôt" not in text
    assert "Ce que vous pouvez faire maintenant" not in text


def test_its_statistics_say_the_figures_are_not_in_the_platform(client, history):
    text = page(client, "/rounds/smart-days-2018/statistics")

    assert 'id="history-figures"' in text
    assert "ne sont pas enregistrés ici" in text
    assert "personnes ont participé" not in text
    assert "0 proposition" not in text
    # What the council decided is there: the masterplan progress by pillar.
    assert 'id="chart-masterplan-table"' in text


def test_the_list_of_rounds_dates_it_and_its_council(client, history):
    text = page(client, "/rounds/")

    assert "avant la plateforme" in text
    assert "11 décembre 2018" in text
    assert "Propositions recueillies" not in text
