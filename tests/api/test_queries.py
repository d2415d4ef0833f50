"""The API does a fixed number of queries whatever the amount of data."""

import pytest

from participation.extensions import db
from participation.models import PaperSupport

API = "/api/v1"


@pytest.fixture
def populate(
    create_round,
    create_pillar,
    create_neighbourhood,
    create_proposal,
    create_comment,
    create_workshop,
    create_user,
    add_event,
):
    """``n`` proposals of varied origin and place, each with a trail and a comment thread."""

    def build(n):
        pillars = [create_pillar(), create_pillar()]
        places = [create_neighbourhood(), create_neighbourhood()]
        round_ = create_round(pillars=pillars)
        workshop = create_workshop(round_)
        users = [create_user() for _ in range(3)]
        proposals = []
        for i in range(n):
            paper = i % 3 == 0
            proposal = create_proposal(
                round=round_,
                pillar=pillars[i % 2],
                neighbourhood=places[i % 2],
                author=None if paper else users[i % 3],
                origin="workshop" if paper else "online",
                workshop=workshop if paper else None,
            )
            if paper:
                db.session.add(
                    PaperSupport(workshop=workshop, proposal=proposal, count=i, sheet_count=i)
                )
            add_event(proposal, from_status="submitted", to_status="published")
            add_event(proposal, kind="edit_refused", note="privée", is_public=False)
            top = create_comment(proposal, author=users[(i + 1) % 3])
            create_comment(proposal, author=users[(i + 2) % 3], parent=top)
            proposals.append(proposal)
        db.session.commit()
        return round_, proposals

    return build


def _counts(client, count_queries, urls):
    counts = {}
    for url in urls:
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = counter.count
    return counts


def test_query_count_does_not_grow_with_data(app, client, count_queries, populate):
    def measure(n):
        round_, proposals = populate(n)
        last = proposals[-1]
        return list(
            _counts(
                client,
                count_queries,
                [
                    f"{API}/proposals?limit=100",
                    f"{API}/proposals?limit=100&sort=newest&round={round_.slug}",
                    f"{API}/proposals/{last.id}",
                    f"{API}/proposals/{last.id}/comments",
                    f"{API}/rounds",
                    f"{API}/rounds/{round_.slug}",
                    f"{API}/rounds/{round_.slug}/statistics",
                    f"{API}/workshops",
                    f"{API}/council-sessions",
                    f"{API}/deliberations",
                ],
            ).values()
        )

    small = measure(5)
    large = measure(100)
    assert small == large
    # /proposals: one query for the page; /proposals/<id>: the proposal and its trail.
    assert small[0] == 1
    assert small[2] == 2


def test_deliberations_query_count(client, count_queries, create_deliberation, create_proposal):
    def measure():
        return _counts(client, count_queries, [f"{API}/deliberations?limit=100"])

    for n in range(3):
        deliberation = create_deliberation(number=n + 1)
        create_proposal(status="promoted", deliberation=deliberation)
    few = measure()
    for n in range(3, 40):
        deliberation = create_deliberation(number=n + 1)
        create_proposal(status="promoted", deliberation=deliberation)
    assert measure() == few
