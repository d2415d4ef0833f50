"""What happens to accounts leaves a trace in the audit log, and the administrators read it."""

import json

import pytest
from sqlalchemy import select

from participation import audit
from participation.extensions import db
from participation.models import AuditEntry
from tests.accounts.test_sign_up import link_in
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "a brand new long password"
EN = {"locale": "en", "next": "/"}


def entries(action: str | None = None) -> list[AuditEntry]:
    """What the database holds, read afresh (what the request committed, nothing more)."""
    db.session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))


def everything_logged() -> str:
    return json.dumps(
        [[e.action, e.target_type, e.target_id, e.before, e.after, e.note] for e in entries()]
    )


# --- each event lands ----------------------------------------------------------------------


def test_a_role_change_is_logged_with_both_roles(client, create_user, sign_in):
    admin = create_user(role="admin")
    resident = create_user()
    sign_in(admin)
    client.post(f"/admin/users/{resident.id}/role", data={"role": "moderator"})
    (entry,) = entries("user.role")
    assert entry.actor_id == admin.id
    assert (entry.target_type, entry.target_id) == ("users", resident.id)
    assert entry.before == {"role": "resident"} and entry.after == {"role": "moderator"}


def test_a_role_change_from_the_command_line_is_logged_without_an_actor(runner, create_user):
    user = create_user(email="luc@example.org")
    assert (
        runner.invoke(args=["users", "set-role", "luc@example.org", "facilitator"]).exit_code == 0
    )
    (entry,) = entries("user.role")
    assert entry.actor_id is None and entry.target_id == user.id
    assert entry.after == {"role": "facilitator"}


def test_a_failed_sign_in_is_committed_and_names_no_one(client, create_user):
    user = create_user(email="anne@example.org")
    response = client.post(
        "/sign-in", data={"email": "anne@example.org", "password": "not the password"}
    )
    assert response.status_code == 200
    (entry,) = entries("account.sign_in_failed")
    assert entry.actor_id is None and entry.target_id == user.id
    assert "not the password" not in everything_logged()
    assert "anne@example.org" not in everything_logged()


def test_a_failed_sign_in_with_an_unknown_address_stores_nothing(client, create_user):
    create_user(email="anne@example.org")
    client.post("/sign-in", data={"email": "nobody@example.org", "password": "some password"})
    assert entries() == []


def test_a_password_change_is_logged(client, create_user, sign_in):
    user = create_user()
    sign_in(user)
    response = client.post(
        "/account/password",
        data={
            "password-current_password": TEST_PASSWORD,
            "password-password": NEW_PASSWORD,
            "password-password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    (entry,) = entries("account.password_change")
    assert entry.actor_id == user.id and entry.target_id == user.id
    assert NEW_PASSWORD not in everything_logged()


def test_a_refused_password_change_is_not_logged(client, create_user, sign_in):
    sign_in(create_user())
    client.post(
        "/account/password",
        data={
            "password-current_password": "not the password",
            "password-password": NEW_PASSWORD,
            "password-password_confirm": NEW_PASSWORD,
        },
    )
    assert entries("account.password_change") == []


def test_a_password_reset_is_logged(client, create_user, outbox):
    user = create_user(email="paul@example.org")
    client.post("/password/forgotten", data={"email": "paul@example.org"})
    link = link_in(outbox()[0])
    client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    (entry,) = entries("account.password_reset")
    assert entry.actor_id == user.id and entry.target_id == user.id


def test_an_email_change_is_logged_once_confirmed_without_the_addresses(
    client, create_user, sign_in, outbox
):
    user = create_user(email="paul@example.org")
    sign_in(user)
    client.post(
        "/account/email",
        data={"email-email": "paul.new@example.org", "email-current_password": TEST_PASSWORD},
    )
    assert entries("account.email_change") == []
    client.get(link_in(outbox()[-1]))
    (entry,) = entries("account.email_change")
    assert entry.actor_id == user.id and entry.target_id == user.id
    assert "example.org" not in everything_logged()


def test_an_erasure_is_logged(client, create_user, sign_in):
    user = create_user(email="anne@example.org", display_name="Anne Martin")
    sign_in(user)
    client.post("/me/erase", data={"current_password": TEST_PASSWORD, "confirm": "y"})
    (entry,) = entries("account.erase")
    assert entry.actor_id == user.id and entry.target_id == user.id
    assert entry.after == {"supports_withdrawn": 0}
    logged = everything_logged()
    assert "anne@example.org" not in logged and "Anne Martin" not in logged


def test_blocking_and_unblocking_are_logged(client, create_user, sign_in):
    moderator = create_user(role="moderator")
    resident = create_user()
    sign_in(moderator)
    client.post(f"/moderation/users/{resident.id}/block", data={"reason": "Insultes répétées"})
    client.post(f"/moderation/users/{resident.id}/unblock")
    (blocked,) = entries("user.block")
    (unblocked,) = entries("user.unblock")
    for entry in (blocked, unblocked):
        assert entry.actor_id == moderator.id and entry.target_id == resident.id
    assert blocked.after == {"blocked": True} and blocked.note == "Insultes répétées"
    assert unblocked.after == {"blocked": False}


# --- the page ------------------------------------------------------------------------------


@pytest.fixture
def logged(create_user):
    """An administrator, a moderator and a resident, and a few entries by each."""
    admin = create_user(role="admin", display_name="Alice Admin")
    moderator = create_user(role="moderator", display_name="Marc Modérateur")
    resident = create_user(display_name="Rémi Résident")
    audit.log(
        admin, "user.role", resident, before={"role": "resident"}, after={"role": "facilitator"}
    )
    audit.log(
        moderator,
        "user.block",
        resident,
        before={"blocked": False},
        after={"blocked": True},
        note="Insultes",
    )
    audit.log(None, "account.sign_in_failed", resident)
    audit.log(resident, "account.password_change", resident)
    audit.log(
        moderator,
        "proposal.published",
        target_type="proposals",
        target_id=7,
        before={"status": "submitted"},
        after={"status": "published"},
    )
    db.session.commit()
    return admin, moderator, resident


def audit_page(client, **args):
    response = client.get("/moderation/audit", query_string=args)
    assert response.status_code == 200
    return response.text


def test_the_page_reads_in_words(client, sign_in, logged):
    admin, _moderator, _resident = logged
    sign_in(admin)
    client.post("/language", data=EN)
    page = audit_page(client)
    for words in (
        "Role changed",
        "Role: Resident",
        "Role: Workshop facilitator",
        "Account blocked",
        "Blocked: yes",
        "Failed sign-in",
        "Nobody signed in",
        "Password changed",
        "Proposal status: Published",
        "Status: Awaiting moderation",
        "Proposal #7",
        "Rémi Résident",
    ):
        assert words in page, words
    # Neither codes nor raw JSON.
    assert "user.role" not in page.replace('value="user.role"', "")
    assert "{&#34;" not in page and '{"' not in page


def test_the_page_reads_in_french(client, sign_in, logged):
    sign_in(logged[0])
    client.post("/language", data={"locale": "fr", "next": "/"})
    rows = audit_page(client).split("<tbody>")[1]
    # Values read in the page's language (labels and titles come from the catalogue).
    for words in ("Rôle", "Habitant", "Animateur d’atelier", "Bloqué", "Publiée"):
        assert words in rows, words
    assert "Workshop facilitator" not in rows and "Resident" not in rows


def test_filter_by_action_shows_that_action_only(client, sign_in, logged):
    sign_in(logged[0])
    client.post("/language", data=EN)
    page = audit_page(client, action="user.block")
    assert "Account blocked" in page.split("<tbody>")[1]
    assert "Role changed" not in page.split("<tbody>")[1]
    assert '<option value="user.block" selected>' in page


def test_filter_by_actor_keeps_the_action_and_can_be_left(client, sign_in, logged):
    admin, moderator, _resident = logged
    sign_in(admin)
    client.post("/language", data=EN)
    page = audit_page(client, actor=moderator.id)
    rows = page.split("<tbody>")[1]
    assert "Account blocked" in rows and "Proposal status: Published" in rows
    assert "Role changed" not in rows and "Password changed" not in rows
    assert "Actions by Marc Modérateur only." in page
    # The action filter keeps the actor.
    assert f'<input type="hidden" name="actor" value="{moderator.id}">' in page
    both = audit_page(client, actor=moderator.id, action="user.block").split("<tbody>")[1]
    assert "Account blocked" in both and "Proposal status" not in both
    # Each name filters by that person (keeping the action chosen).
    everyone = audit_page(client, action="user.role")
    assert f'href="/moderation/audit?actor={admin.id}&amp;action=user.role"' in everyone


def test_pages_of_the_log_keep_the_filters(client, sign_in, create_user):
    admin = create_user(role="admin")
    resident = create_user()
    for _ in range(60):
        audit.log(
            admin, "user.role", resident, before={"role": "resident"}, after={"role": "resident"}
        )
    audit.log(admin, "user.block", resident)
    db.session.commit()
    sign_in(admin)
    page = audit_page(client, action="user.role", actor=admin.id)
    assert "page=2" in page
    second = [line for line in page.split('"') if "page=2" in line][0].replace("&amp;", "&")
    assert "action=user.role" in second and f"actor={admin.id}" in second


def test_the_page_makes_a_fixed_number_of_queries(
    client, sign_in, create_user, assert_page_queries
):
    admin = create_user(role="admin")
    sign_in(admin)

    def add(n: int) -> None:
        for _ in range(n):
            resident = create_user()
            audit.log(admin, "user.role", resident, after={"role": "moderator"})
            audit.log(resident, "account.password_change", resident)
        db.session.commit()

    add(1)
    few = assert_page_queries("/moderation/audit", 8)
    add(30)
    assert assert_page_queries("/moderation/audit", 8) == few


def test_giving_the_same_role_again_logs_nothing(client, create_user, sign_in):
    admin = create_user(role="admin")
    moderator = create_user(role="moderator")
    sign_in(admin)
    response = client.post(f"/admin/users/{moderator.id}/role", data={"role": "moderator"})
    assert response.status_code == 302
    assert entries("user.role") == []


def test_security_events_and_one_account_can_be_singled_out(client, sign_in, logged):
    admin, moderator, resident = logged
    other = moderator
    audit.log(None, "account.sign_in_locked", other, after={"limit": "5 per 1 minute"})
    audit.log(other, "account.two_factor_enabled", other, after={"two_factor": True})
    audit.log(None, "account.sign_in_locked", None, after={"limit": "10 per 1 minute"})
    db.session.commit()
    sign_in(admin)
    client.post("/language", data=EN)
    page = audit_page(client, security="1").split("<tbody>")[1]
    for words in (
        "Sign-in paused (too many attempts)",
        "Limit reached: 5 per 1 minute",
        "Two-factor authentication turned on",
        "Failed sign-in",
        "Role changed",
        "Account blocked",
    ):
        assert words in page, words
    assert "Proposal status" not in page
    about = audit_page(client, security="1", account=str(resident.id))
    assert "Entries about the account of Rémi Résident only." in about
    about = about.split("<tbody>")[1]
    assert "Failed sign-in" in about and "Role changed" in about
    assert "Two-factor authentication turned on" not in about
    assert "Limit reached" not in about
    # The filters bound what they read: nothing breaks on a huge or strange value.
    assert audit_page(client, account=str(2**70), security="yes")
