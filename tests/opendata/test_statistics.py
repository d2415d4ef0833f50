"""The statistics page: its figures against the data, in a fixed number of queries."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest

from participation.extensions import db
from participation.models import Comment, Support, utcnow
from participation.opendata import charts


class Tables(HTMLParser):
    """The text of every table's cells, by table id: {id: [[cell, …], …]}."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = None
        self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id", ""), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None:
            self._table[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page(client, round_, language="en"):
    response = client.get(
        f"/rounds/{round_.slug}/statistics", headers={"Accept-Language": language}
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def rows(html: str, table_id: str) -> dict[str, list[str]]:
    table = Tables(html).tables[table_id]
    return {row[0]: row[1:] for row in table[1:]}


def test_figures_by_pillar_match_the_public_data(client, round_data):
    by_pillar = rows(page(client, round_data.round), "chart-pillar-table")
    # Proposals, supports (online + paper), comments; hidden and pending ones left out.
    assert by_pillar == {
        "Housing / Environment": ["1", "7", "1"],
        "Mobility / Transport": ["2", "3", "1"],
    }


def test_figures_by_channel_keep_paper_apart(client, round_data):
    by_channel = rows(page(client, round_data.round), "chart-channel-table")
    assert by_channel == {
        "Proposals": ["2", "1"],
        "Comments": ["1", "1"],
        "Supports": ["2", "8"],
    }


def test_figures_by_neighbourhood_and_contributors(client, round_data):
    html = page(client, round_data.round)
    assert rows(html, "chart-neighbourhood-table") == {
        "Centre-ville": ["1", "7", "1"],
        "No neighbourhood given": ["2", "3", "1"],
    }
    # Alice and Bob wrote, Dave commented and supported, Carol supported: four people.
    assert '<span class="stat-figures__value" id="stat-contributors">4</span>' in html


def test_weeks_and_masterplan(client, round_data):
    html = page(client, round_data.round)
    weeks = rows(html, "chart-weeks-table")
    assert [sum(int(v[i]) for v in weeks.values()) for i in range(3)] == [3, 2, 8]
    assert rows(html, "chart-masterplan-table") == {
        "Housing / Environment": ["0", "1", "0"],
        "Mobility / Transport": ["0", "0", "1"],
    }


def test_the_api_publishes_the_figures_of_the_page(client, round_data):
    html = page(client, round_data.round)
    data = client.get(f"/api/v1/rounds/{round_data.round.slug}/statistics").get_json()
    assert {
        t["pillar"]["name_en"]: [
            str(t["proposals"]),
            str(t["online_supports"] + t["paper_supports"]),
            str(t["comments"]),
        ]
        for t in data["by_pillar"]
    } == rows(html, "chart-pillar-table")
    channels = rows(html, "chart-channel-table")
    assert [
        [str(data["by_channel"][channel][kind]) for channel in ("online", "workshop")]
        for kind in ("proposals", "comments", "supports")
    ] == [channels["Proposals"], channels["Comments"], channels["Supports"]]
    contributors = data["contributors"]
    assert f'id="stat-contributors">{contributors}</span>' in html
    assert data["masterplan"] == {"project": 0, "in_progress": 1, "done": 1}


def test_page_in_french_draws_accessible_charts(client, round_data):
    html = page(client, round_data.round, "fr")
    assert html.count('role="img"') == 5
    assert html.count("<caption id=") == 5
    assert 'scope="row"' in html and 'scope="col"' in html
    assert "style=" not in html
    assert f"/rounds/{round_data.round.slug}/open-data" in html
    for secret in round_data.secrets:
        assert secret not in html


def test_bars_are_proportional_and_labelled():
    chart = charts.BarChart(
        "c", "t", ["a", "b"], [charts.Series("x", [10, 5]), charts.Series("y", [0, 1])]
    )
    (a_x, a_y), (b_x, b_y) = (group.bars for group in chart.groups)
    assert a_x.width == charts.WIDTH - charts.VALUE_ROOM
    assert b_x.width == a_x.width // 2
    assert a_y.width == 0 and b_y.width >= 2
    assert {bar.colour for bar in (a_x, a_y)} == {charts.COLOURS[0], charts.COLOURS[1]}
    assert chart.rows == [("a", [10, 0]), ("b", [5, 1])]


def test_empty_round_has_no_chart_but_answers(client, create_round):
    round_ = create_round()
    html = page(client, round_)
    assert 'role="img"' not in html
    assert "No figures yet." in html


def test_unknown_round_is_404(client, app):
    assert client.get("/rounds/nowhere/statistics").status_code == 404


# The round, pillars, neighbourhoods, proposals, comments, masterplan, contributors, and three
# per-day series.
QUERIES = 10


@pytest.fixture
def grow(round_data, create_user, create_neighbourhood, create_pillar, create_proposal):
    """Many more proposals, people, supports, comments, neighbourhoods and weeks."""

    def grow_():
        round_ = round_data.round
        people = [create_user() for _ in range(6)]
        places = [create_neighbourhood() for _ in range(3)]
        extra_pillar = create_pillar()
        for n in range(24):
            proposal = create_proposal(
                round_,
                author=people[n % 6],
                pillar=extra_pillar if n % 3 else round_data.pillars["mobility"],
                neighbourhood=places[n % 3],
                created_at=utcnow() - timedelta(weeks=n),
            )
            proposal.published_at = proposal.created_at
            for person in people[: n % 6]:
                db.session.add(
                    Support(
                        proposal_id=proposal.id,
                        user_id=person.id,
                        round_id=round_.id,
                        created_at=utcnow() - timedelta(days=3 * n),
                    )
                )
                proposal.support_count += 1
            db.session.add(
                Comment(proposal=proposal, author=people[-1], body="Oui", body_html="Oui")
            )
            proposal.comment_count += 1
        db.session.commit()

    return grow_


def test_query_count_does_not_grow_with_the_round(client, round_data, assert_page_queries, grow):
    url = f"/rounds/{round_data.round.slug}/statistics"
    small = assert_page_queries(url, QUERIES)
    grow()
    large = assert_page_queries(url, QUERIES)
    assert large == small
    weeks = rows(page(client, round_data.round), "chart-weeks-table")
    assert len(weeks) >= 24
