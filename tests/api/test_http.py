"""HTTP behaviour of the API: cursor pagination, conditional requests, CORS, docs, limits."""

import pytest

API = "/api/v1"


def walk(client, url):
    """Every item of a paginated list, following the `next` links; the number of pages."""
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        data = response.get_json()
        seen += [item["id"] for item in data["items"]]
        url = data["links"]["next"]
        pages += 1
    return seen, pages


@pytest.mark.parametrize("sort", ["supports", "newest", "comments"])
def test_cursor_walks_every_proposal_exactly_once(client, create_round, create_proposal, sort):
    round_ = create_round()
    # Many ties on every sort key: the id breaks them.
    created = {
        create_proposal(round=round_, support_count=i % 3, comment_count=i % 2).id
        for i in range(23)
    }
    create_proposal(round=round_, status="submitted")
    seen, pages = walk(client, f"{API}/proposals?sort={sort}&limit=5&round={round_.slug}")
    assert len(seen) == len(created)
    assert set(seen) == created
    assert pages == 5


def test_cursor_is_stable_when_items_are_added(client, create_round, create_proposal):
    round_ = create_round()
    first_ids = [create_proposal(round=round_).id for _ in range(4)]
    data = client.get(f"{API}/proposals?sort=newest&limit=2").get_json()
    create_proposal(round=round_)  # newer: belongs before the cursor, not on the next page
    rest = client.get(data["links"]["next"]).get_json()
    seen = [p["id"] for p in data["items"] + rest["items"]]
    assert sorted(seen) == sorted(first_ids)


@pytest.mark.parametrize("cursor", ["not base64!", "bm90IGpzb24", "WzFd", "WyJ4IiwxXQ"])
def test_bad_cursor_is_400(client, create_proposal, cursor):
    create_proposal()
    response = client.get(f"{API}/proposals?cursor={cursor}")
    assert response.status_code == 400
    assert response.get_json()["code"] == 400


def test_out_of_range_numbers_are_refused_not_crashing(client, create_proposal):
    # Beyond PostgreSQL's integer: a 404 or a 400, never a database error (found by schemathesis).
    create_proposal()
    assert client.get(f"{API}/proposals/2147483648").status_code == 404
    assert client.get(f"{API}/workshops/2147483648/").status_code == 404
    assert client.get(f"{API}/proposals?cursor=WzEsOTk5OTk5OTk5OTk5XQ").status_code == 400
    assert client.get(f"{API}/deliberations?session=2147483648").status_code == 422
    # PostgreSQL refuses NUL bytes in text.
    assert client.get(f"{API}/workshops?round=%00").status_code == 422
    assert client.get(f"{API}/rounds/%00").status_code == 404


def test_next_link_keeps_filters_and_ignores_stray_arguments(
    client, create_proposal, create_comment
):
    proposal = create_proposal()
    for _ in range(3):
        create_comment(proposal)
    url = f"{API}/proposals/{proposal.id}/comments?limit=2&proposal_id=7&extra=1"
    data = client.get(url).get_json()
    assert data["links"]["next"].startswith(f"{API}/proposals/{proposal.id}/comments?")
    assert "limit=2" in data["links"]["next"]
    assert len(client.get(data["links"]["next"]).get_json()["items"]) == 1


def test_walk_deliberations_and_workshops(
    client, create_deliberation, create_pillar, create_round, app
):
    from datetime import date

    pillar = create_pillar()
    created = [create_deliberation(pillar=pillar, number=n).id for n in range(1, 8)]
    created += [
        create_deliberation(pillar=pillar, number=n, held_on=date(2020, 1, 1)).id for n in (1, 2)
    ]
    seen, _ = walk(client, f"{API}/deliberations?limit=3")
    assert sorted(seen) == sorted(created)
    assert len(seen) == len(set(seen))


def test_etag_and_304(client, create_proposal):
    proposal = create_proposal()
    url = f"{API}/proposals/{proposal.id}"
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""

    from participation.extensions import db

    proposal.title = "Un titre changé"
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_public_answers_carry_no_session(client, create_proposal):
    # A shared cache may keep them: nothing personal can be in them.
    create_proposal()
    response = client.get(f"{API}/proposals", headers={"Accept-Language": "fr"})
    assert "Set-Cookie" not in response.headers


def test_cors_is_open_for_reading(client, create_proposal):
    for url in [f"{API}/proposals", f"{API}/openapi.json", f"{API}/proposals/99999"]:
        response = client.get(url)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Access-Control-Allow-Origin" not in client.get("/").headers


def test_read_only(client):
    response = client.post(f"{API}/proposals")
    assert response.status_code == 405
    assert response.get_json()["code"] == 405


def test_openapi_document(client):
    response = client.get(f"{API}/openapi.json")
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    assert set(spec["paths"]) == {
        f"{API}{path}"
        for path in [
            "/rounds",
            "/rounds/{slug}",
            "/rounds/{slug}/statistics",
            "/pillars",
            "/proposals",
            "/proposals/{proposal_id}",
            "/proposals/{proposal_id}/comments",
            "/workshops",
            "/workshops/{workshop_id}",
            "/council-sessions",
            "/actions",
            "/carriers",
            "/deliberations",
        ]
    }
    assert all(set(item) - {"parameters"} == {"get"} for item in spec["paths"].values())


def test_documentation_page_lists_operations(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "GET /api/v1/proposals/{proposal_id}/comments" in html
    assert "ProposalPage" in html
    assert "<code>neighbourhood</code>" in html
    # No third-party viewer: everything is served by the site itself.
    assert "cdn" not in html.lower() and "swagger" not in html.lower()


def test_documentation_page_in_french(client):
    response = client.get(f"{API}/docs", headers={"Accept-Language": "fr"})
    assert response.status_code == 200


def test_api_is_rate_limited_per_address(app_factory):
    client = app_factory(RATELIMIT_ENABLED=True).test_client()
    statuses = [client.get(f"{API}/pillars").status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120
    assert statuses[120] == 429
    assert client.get(f"{API}/rounds").status_code == 429  # one budget for the whole API
    assert client.get(f"{API}/pillars").get_json()["code"] == 429


def test_api_needs_no_csrf_token(app_factory):
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    assert client.get(f"{API}/pillars").status_code == 200
