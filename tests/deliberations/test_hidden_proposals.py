"""A promoted proposal that moderators later hide leaves every public list of its deliberation:
its code and title are no longer on the deliberation's page nor in the CSV downloads (the record
of a hidden item is the moderators', not the public's)."""

from html import unescape

import pytest

from participation.extensions import db
from participation.moderation import reports

from .conftest import EN, parse_csv


@pytest.fixture
def one_hidden(promoted, moderator):
    hidden, shown = promoted.proposals
    reports.hide(hidden, moderator, "Propos injurieux dans le texte")
    db.session.commit()
    return promoted, hidden, shown


def _origins(page: str) -> str:
    return unescape(page).split('id="origins-title"')[1].split("</section>")[0]


def test_the_deliberation_page_no_longer_lists_it(client, one_hidden):
    deliberation, hidden, shown = one_hidden
    origins = _origins(client.get(f"/deliberations/{deliberation.id}", headers=EN).text)
    assert shown.code in origins and shown.title in origins
    assert hidden.code not in origins and hidden.title not in origins


def test_nor_for_a_moderator_reading_the_public_page(client, one_hidden, moderator, sign_in):
    deliberation, hidden, _shown = one_hidden
    sign_in(moderator)
    origins = _origins(client.get(f"/deliberations/{deliberation.id}", headers=EN).text)
    assert hidden.title not in origins


@pytest.mark.parametrize("url", ["/deliberations.csv", "/masterplan/masterplan.csv"])
def test_the_downloads_no_longer_list_its_code(client, one_hidden, url):
    deliberation, hidden, shown = one_hidden
    rows = parse_csv(client.get(url, headers=EN))
    (row,) = [r for r in rows[1:] if r[1] == deliberation.title]
    assert row[15].split() == [shown.code]
    assert hidden.code not in client.get(url, headers=EN).text


def test_shown_again_it_is_listed_again(client, one_hidden, moderator):
    deliberation, hidden, _shown = one_hidden
    reports.restore(hidden, moderator, "Texte corrigé par son auteur")
    db.session.commit()
    origins = _origins(client.get(f"/deliberations/{deliberation.id}", headers=EN).text)
    assert hidden.code in origins
