"""A blocked account loses every power beyond reading, whatever its role: a blocked
administrator can neither give roles, nor unblock themself, nor open any staff page."""

from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from participation.accounts import services
from participation.errors import AccountBlocked
from participation.extensions import db
from participation.models import AuditEntry, Role, User, Workshop, utcnow
from participation.moderation import services as moderation

EN = {"locale": "en", "next": "/"}


@pytest.fixture
def blocked_admin(create_user):
    create_user(role="admin", display_name="Active admin")
    return create_user(
        role="admin", blocked_at=utcnow(), blocked_reason="Compte compromis", display_name="Bloquée"
    )


def entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_blocked_admin_cannot_change_roles_nor_unblock_themself(
    client, create_user, sign_in, blocked_admin
):
    resident = create_user(display_name="Luc")
    sign_in(blocked_admin)
    client.post("/language", data=EN)

    page = client.get("/admin/users")
    assert page.status_code == 403
    assert "Your account is blocked" in page.text
    assert "Luc" not in page.text

    for account, role in ((resident, "moderator"), (blocked_admin, "resident")):
        response = client.post(f"/admin/users/{account.id}/role", data={"role": role})
        assert response.status_code == 403
        assert "Your account is blocked" in response.text

    response = client.post(f"/moderation/users/{blocked_admin.id}/unblock")
    assert response.status_code == 403

    db.session.expire_all()
    assert db.session.get(User, resident.id).role == "resident"
    assert db.session.get(User, blocked_admin.id).role == "admin"
    assert db.session.get(User, blocked_admin.id).is_blocked
    assert entries("user.role") == [] and entries("user.unblock") == []


def test_the_services_refuse_a_blocked_admin_too(create_user, blocked_admin):
    resident = create_user()
    with pytest.raises(AccountBlocked):
        services.set_role(blocked_admin, resident, Role.ADMIN)
    with pytest.raises(AccountBlocked):
        moderation.unblock(blocked_admin, blocked_admin)
    assert resident.role == "resident" and blocked_admin.is_blocked


def test_another_admin_unblocks_them(client, create_user, sign_in, blocked_admin):
    active = db.session.scalar(select(User).where(User.display_name == "Active admin"))
    sign_in(active)
    response = client.post(f"/moderation/users/{blocked_admin.id}/unblock")
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, blocked_admin.id).is_blocked
    # Unblocked, they are an administrator again.
    sign_in(blocked_admin)
    assert client.get("/admin/users").status_code == 200


# --- every staff page ----------------------------------------------------------------------


@pytest.fixture
def things(create_user, create_round, create_pillar, create_proposal, create_deliberation):
    """One of each thing a staff page is about, for the URL arguments."""
    pillar = create_pillar()
    round_ = create_round(pillars=[pillar])
    proposal = create_proposal(round=round_, pillar=pillar)
    starts = utcnow() - timedelta(hours=3)
    workshop = Workshop(
        round=round_,
        title="Atelier",
        place="Centre social",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        state="held",
    )
    workshop.pillars = [pillar]
    db.session.add(workshop)
    db.session.commit()
    return {
        "slug": round_.slug,
        "number": proposal.number,
        "proposal_id": proposal.id,
        "workshop_id": workshop.id,
        "deliberation_id": create_deliberation(pillar=pillar).id,
        "user_id": create_user().id,
        "workshop": workshop,
    }


def pages(app, things) -> list[str]:
    """Every page (GET) whose URL arguments we can fill in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if not set(rule.arguments) <= set(things):
            continue
        values = {name: things[name] for name in rule.arguments}
        urls.append(url_for(rule.endpoint, _external=False, **values))
    return sorted(set(urls))


@pytest.mark.parametrize("role", ["facilitator", "moderator", "admin"])
def test_a_blocked_staff_member_is_refused_every_staff_page(
    app, create_user, sign_in, things, role
):
    active = create_user(role=role)
    blocked = create_user(role=role, blocked_at=utcnow(), blocked_reason="Compte compromis")
    resident = create_user()
    things["workshop"].facilitators = [active, blocked]
    db.session.commit()

    def statuses(user) -> dict[str, int]:
        client = sign_in(user, app.test_client())
        client.post("/language", data=EN)
        return {url: client.get(url).status_code for url in pages(app, things)}

    as_resident, as_active, as_blocked = statuses(resident), statuses(active), statuses(blocked)
    # A staff page: refused to a resident, not to an active member of the role (who may still
    # get a 400 or a 404 from the page itself, for arguments this walk does not give).
    staff = [url for url in as_resident if as_resident[url] == 403 and as_active[url] != 403]
    expected = {
        "facilitator": ["/workshops/", f"/workshops/{things['workshop_id']}/entry"],
        "moderator": ["/moderation/", "/moderation/merge", "/deliberations/promote"],
        "admin": ["/admin/users", "/moderation/audit", "/rounds/new"],
    }[role]
    assert set(expected) <= set(staff), staff
    refused = {url: as_blocked[url] for url in staff}
    assert set(refused.values()) == {403}, refused
    # Reading stays open to them.
    assert as_blocked["/"] == 200 and as_blocked["/account"] == 200
