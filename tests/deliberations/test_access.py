"""Who may use each moderator route of the deliberations blueprint and of an action's tracking:
roles × routes."""

import pytest

from participation.extensions import db
from participation.models import AuditEntry, CouncilSession, Deliberation, ProgressNote, utcnow

from .conftest import EN

PUBLIC_ROUTES = [
    "/deliberations/",
    "/deliberations/{id}",
    "/deliberations.csv",
    "/masterplan/",
    "/masterplan/masterplan.csv",
    "/masterplan/print",
]


def moderator_routes(deliberation, proposal) -> list[tuple[str, str, dict]]:
    """Every moderator route, with data that a moderator's request would get accepted with."""
    return [
        ("GET", "/deliberations/sessions/new", {}),
        (
            "POST",
            "/deliberations/sessions/new",
            {"held_on": "2028-01-10", "title": "Conseil municipal", "round_id": ""},
        ),
        ("GET", "/deliberations/promote", {}),
        (
            "POST",
            "/deliberations/promote",
            {
                "proposal_ids": [proposal.id],
                "council_session_id": deliberation.council_session_id,
                "number": 2,
                "pillar_id": deliberation.pillar_id,
                "title": "Une action de plus",
            },
        ),
        (
            "POST",
            f"/masterplan/actions/{deliberation.action.id}/tracking",
            {"status": "done", "carrier_id": deliberation.action.carrier_id},
        ),
        (
            "POST",
            f"/masterplan/actions/{deliberation.action.id}/notes",
            {"noted_on": "2027-06-01", "body": "Note pirate"},
        ),
    ]


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(db.select(db.func.count()).select_from(model))
        for model in (CouncilSession, Deliberation, ProgressNote, AuditEntry)
    )


@pytest.mark.parametrize("role", ["resident", "facilitator"])
def test_every_moderator_route_is_forbidden(
    client, create_user, sign_in, promoted, create_retained, role
):
    routes = moderator_routes(promoted, create_retained())
    before = counts()
    sign_in(create_user(role=role))
    for method, url, data in routes:
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (method, url)
    assert counts() == before
    db.session.refresh(promoted.action)
    assert (promoted.action.status, promoted.action.carrier.name) == ("project", "Ville de Béthune")


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_a_blocked_moderator_or_admin_is_refused_every_route(
    client, create_user, sign_in, promoted, create_retained, role
):
    routes = moderator_routes(promoted, create_retained())
    before = counts()
    account = create_user(role=role, blocked_at=utcnow(), blocked_reason="Abus")
    sign_in(account)
    for method, url, data in routes:
        response = client.open(url, method=method, data=data, headers=EN)
        assert response.status_code == 403, (method, url)
        assert "Your account is blocked" in response.text, (method, url)
    assert counts() == before
    db.session.refresh(promoted.action)
    assert (promoted.action.status, promoted.action.carrier.name) == ("project", "Ville de Béthune")
    # The public pages stay open to them, without the moderators' forms and links.
    assert "Update the tracking" not in client.get(f"/deliberations/{promoted.id}", headers=EN).text
    assert 'href="/deliberations/promote"' not in client.get("/deliberations/").text


def test_visitors_are_sent_to_sign_in(client, promoted, create_retained):
    routes = moderator_routes(promoted, create_retained())
    before = counts()
    for method, url, data in routes:
        response = client.open(url, method=method, data=data)
        assert response.status_code == 302, (method, url)
        assert response.location.startswith("/sign-in?next="), (method, url)
    assert counts() == before


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_moderators_and_admins_may_use_every_route(
    client, create_user, sign_in, promoted, create_retained, role
):
    routes = moderator_routes(promoted, create_retained())
    sign_in(create_user(role=role))
    for method, url, data in routes:
        response = client.open(url, method=method, data=data)
        assert response.status_code == (200 if method == "GET" else 302), (method, url)
    if role == "moderator":
        # Nothing would redirect to the deliberation page here: the status has one control.
        db.session.refresh(promoted.action)
        assert promoted.action.status == "done"


@pytest.mark.parametrize("role", [None, "resident", "facilitator", "moderator"])
def test_public_pages_are_open_to_everyone(client, create_user, sign_in, promoted, role):
    if role:
        sign_in(create_user(role=role))
    for url in PUBLIC_ROUTES:
        assert client.get(url.format(id=promoted.id)).status_code == 200, url
