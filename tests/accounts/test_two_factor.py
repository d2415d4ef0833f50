"""Two-factor authentication: enrolment, the second step of signing in, recovery codes, turning it
off, the administrators' reset, and the staff requirement."""

import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from participation.extensions import db
from participation.models import AuditEntry, RecoveryCode, Role, UserSession
from tests.conftest import TEST_PASSWORD

EN = {"Accept-Language": "en"}


def code(user, steps_ahead: int = 0) -> str:
    """The app's code for ``user``, now or a step ahead (a code is accepted once)."""
    return pyotp.TOTP(user.totp_secret).at(time.time() + 30 * steps_ahead)


def actions(name: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == name)))


def sessions_of(user) -> int:
    return db.session.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    )


def password_step(client, user, next_url=""):
    response = client.post(
        "/sign-in" + (f"?next={next_url}" if next_url else ""),
        data={"email": user.email, "password": TEST_PASSWORD, "next": next_url},
        headers=EN,
    )
    assert response.status_code == 302
    return response


def enrol(client, user) -> list[str]:
    """Set two-factor up through the pages; returns the recovery codes shown."""
    client.get("/account/two-factor")
    db.session.refresh(user)
    response = client.post("/account/two-factor", data={"code": code(user)}, headers=EN)
    assert response.status_code == 200, response.text
    return re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.text)


# --- enrolment ------------------------------------------------------------------------------


def test_enrolment_shows_the_qr_code_and_the_key_and_waits_for_a_code(client, create_user, sign_in):
    user = create_user()
    sign_in(user)
    page = client.get("/account/two-factor", headers=EN)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    db.session.refresh(user)
    secret = user.totp_secret
    assert secret and not user.has_two_factor
    # The QR code is drawn here, as an image the CSP allows (data:), with a text alternative.
    image = re.search(r'<img class="qr-code" src="([^"]+)"[^>]*alt="([^"]+)"', page.text)
    assert image.group(1).startswith("data:image/svg+xml")
    assert "the same key is written below as text" in image.group(2)
    assert "img-src 'self' data:" in page.headers["Content-Security-Policy"]
    # The key, in groups, for a screen reader or for typing by hand.
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page.text
    field = re.search(r'<input[^>]*id="code"[^>]*>', page.text).group(0)
    assert 'autocomplete="one-time-code"' in field and 'inputmode="numeric"' in field
    assert re.search(r'<label for="code">', page.text)
    # The same key until a code confirms it.
    client.get("/account/two-factor")
    db.session.refresh(user)
    assert user.totp_secret == secret


def test_a_wrong_code_leaves_two_factor_off(client, create_user, sign_in):
    user = create_user()
    sign_in(user)
    client.get("/account/two-factor")
    db.session.refresh(user)
    wrong = f"{(int(code(user)) + 1) % 1_000_000:06d}"
    response = client.post("/account/two-factor", data={"code": wrong}, headers=EN)
    assert response.status_code == 400
    assert "This code is not correct" in response.text
    db.session.refresh(user)
    assert not user.has_two_factor
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0


def test_a_right_code_turns_it_on_and_shows_ten_recovery_codes_once(client, create_user, sign_in):
    user = create_user()
    sign_in(user)
    codes = enrol(client, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.refresh(user)
    assert user.has_two_factor
    stored = list(db.session.scalars(select(RecoveryCode.code_hash)))
    assert len(stored) == 10
    assert not any(c.replace("-", "") in h for c in codes for h in stored)
    assert all(h.startswith("$argon2") for h in stored)
    (entry,) = actions("account.two_factor_enabled")
    assert entry.actor_id == user.id and entry.target_id == user.id
    page = client.get("/account/two-factor", headers=EN).text
    assert "10 recovery codes are left" in page
    assert not any(c in page for c in codes)


# --- signing in -----------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_before_any_session_exists(client, create_user):
    user = create_user(two_factor=True)
    response = password_step(client, user, "/me")
    assert response.headers["Location"].endswith("/sign-in/code")
    assert sessions_of(user) == 0
    assert client.get("/account").status_code == 302
    page = client.get("/sign-in/code", headers=EN)
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.text
    response = client.post("/sign-in/code", data={"code": code(user)})
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    assert sessions_of(user) == 1
    assert client.get("/account").status_code == 200


def test_a_wrong_code_is_refused_and_audited(client, create_user):
    user = create_user(two_factor=True)
    password_step(client, user)
    wrong = f"{(int(code(user)) + 1) % 1_000_000:06d}"
    response = client.post("/sign-in/code", data={"code": wrong}, headers=EN)
    assert response.status_code == 400 and "This code is not correct" in response.text
    assert sessions_of(user) == 0
    (entry,) = actions("account.two_factor_failed")
    assert entry.actor_id is None and entry.target_id == user.id


def test_a_code_works_once(app, create_user):
    user = create_user(two_factor=True)
    first, second = app.test_client(), app.test_client()
    now = code(user)
    password_step(first, user)
    assert first.post("/sign-in/code", data={"code": now}).status_code == 302
    # Seen over a shoulder and typed again: refused.
    password_step(second, user)
    assert second.post("/sign-in/code", data={"code": now}).status_code == 400
    assert second.get("/account").status_code == 302


def test_the_code_step_does_not_wait_for_ever(client, create_user):
    user = create_user(two_factor=True)
    password_step(client, user)
    with client.session_transaction() as session:
        session["second_step"] = dict(session["second_step"], until=int(time.time()) - 1)
    response = client.post("/sign-in/code", data={"code": code(user)}, headers=EN)
    assert response.status_code == 400 and "run out" in response.text
    assert sessions_of(user) == 0


def test_nothing_waits_for_a_code_without_the_password(client, create_user):
    user = create_user(two_factor=True)
    response = client.post("/sign-in/code", data={"code": code(user)})
    assert response.status_code == 400
    assert sessions_of(user) == 0


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(app, create_user, sign_in):
    user = create_user()
    codes = enrol(sign_in(user), user)
    client = app.test_client()
    password_step(client, user)
    response = client.post("/sign-in/code", data={"recovery_code": codes[3].upper()}, headers=EN)
    assert response.status_code == 302
    assert "9 are left" in client.get("/", headers=EN).text
    (entry,) = actions("account.recovery_code_used")
    assert entry.after == {"remaining": 9}
    again = app.test_client()
    password_step(again, user)
    assert again.post("/sign-in/code", data={"recovery_code": codes[3]}).status_code == 400
    assert again.get("/account").status_code == 302


# --- managing it ----------------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(app, create_user, sign_in):
    user = create_user()
    client = sign_in(user)
    old = enrol(client, user)
    refused = client.post(
        "/account/two-factor/recovery-codes",
        data={"renew-current_password": "not my password"},
        headers=EN,
    )
    assert refused.status_code == 400 and "password is not correct" in refused.text
    response = client.post(
        "/account/two-factor/recovery-codes", data={"renew-current_password": TEST_PASSWORD}
    )
    new = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.text)
    assert len(new) == 10 and not set(new) & set(old)
    assert response.headers["Cache-Control"] == "no-store"
    other = app.test_client()
    password_step(other, user)
    assert other.post("/sign-in/code", data={"recovery_code": old[0]}).status_code == 400
    assert other.post("/sign-in/code", data={"recovery_code": new[0]}).status_code == 302


def test_turning_it_off_needs_the_password(client, create_user, sign_in):
    user = create_user(two_factor=True)
    sign_in(user)
    refused = client.post(
        "/account/two-factor/disable", data={"disable-current_password": "wrong one"}
    )
    assert refused.status_code == 400
    db.session.refresh(user)
    assert user.has_two_factor
    response = client.post(
        "/account/two-factor/disable", data={"disable-current_password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert not user.has_two_factor and user.totp_secret is None
    (entry,) = actions("account.two_factor_disabled")
    assert entry.actor_id == user.id


def test_an_administrator_resets_it_and_the_sessions_end(app, create_user, sign_in):
    admin = create_user(Role.ADMIN)
    resident = create_user(two_factor=True)
    theirs = sign_in(resident, app.test_client())
    page = sign_in(admin).get("/admin/users", headers=EN).text
    assert f"/admin/users/{resident.id}/two-factor/reset" in page
    response = sign_in(admin).post(f"/admin/users/{resident.id}/two-factor/reset")
    assert response.status_code == 302
    db.session.refresh(resident)
    assert not resident.has_two_factor
    assert theirs.get("/account").status_code == 302
    (entry,) = actions("account.two_factor_reset")
    assert entry.actor_id == admin.id and entry.target_id == resident.id
    # Signing in is now the password alone; they may enrol again.
    client = app.test_client()
    assert password_step(client, resident).headers["Location"] == "/"


def test_only_administrators_reset_it(app, create_user, sign_in):
    moderator = create_user(Role.MODERATOR)
    resident = create_user(two_factor=True)
    response = sign_in(moderator).post(f"/admin/users/{resident.id}/two-factor/reset")
    assert response.status_code == 403
    db.session.refresh(resident)
    assert resident.has_two_factor
    assert actions("account.two_factor_reset") == []


# --- required for staff ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "url"), [(Role.MODERATOR, "/moderation/"), (Role.ADMIN, "/admin/users")]
)
def test_staff_without_two_factor_are_sent_to_set_it_up(client, create_user, sign_in, role, url):
    user = create_user(role, two_factor=False)
    sign_in(user)
    response = client.get(url, headers=EN)
    assert response.status_code == 403
    assert "Your role requires two-factor authentication" in response.text
    assert "/account/two-factor" in response.text
    # No staff link in the menu, and a notice on every page until it is done.
    home = client.get("/", headers=EN).text
    assert 'href="/moderation/"' not in home
    assert "Set up two-factor authentication" in home
    enrol(client, user)
    assert client.get(url).status_code == 200
    assert "Your role requires" not in client.get("/", headers=EN).text


def test_staff_without_two_factor_cannot_act_either(client, create_user, sign_in, create_proposal):
    moderator = create_user(Role.MODERATOR, two_factor=False)
    proposal = create_proposal(status="submitted")
    sign_in(moderator)
    response = client.post(f"/moderation/proposals/{proposal.id}/publish", data={})
    assert response.status_code == 403
    db.session.refresh(proposal)
    assert proposal.status == "submitted"


def test_residents_and_facilitators_do_not_need_it(client, create_user, sign_in):
    facilitator = create_user(Role.FACILITATOR)
    assert not facilitator.has_two_factor
    sign_in(facilitator)
    assert client.get("/workshops/").status_code == 200
    assert "Your role requires" not in client.get("/", headers=EN).text


def test_pages_in_french_and_english(client, create_user, sign_in):
    sign_in(create_user())
    french = client.get("/account/two-factor", headers={"Accept-Language": "fr"})
    english = client.get("/account/two-factor", headers=EN)
    assert '<html lang="fr">' in french.text and '<html lang="en">' in english.text
    assert "Two-factor authentication" in english.text


def test_the_code_step_is_rate_limited_per_account(app_factory, create_user):
    app = app_factory(RATELIMIT_ENABLED=True)
    with app.app_context():
        user = create_user(two_factor=True)
        email = user.email
    client = app.test_client()
    client.post("/sign-in", data={"email": email, "password": TEST_PASSWORD})
    statuses = [client.post("/sign-in/code", data={"code": "000000"}).status_code for _ in range(6)]
    assert statuses[:5] == [400] * 5 and statuses[5] == 429


def test_the_audit_log_names_the_two_factor_events(client, create_user, sign_in):
    admin = create_user(Role.ADMIN)
    user = create_user()
    enrol(sign_in(user), user)
    page = sign_in(admin).get("/moderation/audit", headers=EN).text
    assert "Two-factor authentication turned on" in page


def test_the_command_line_resets_it_for_a_lone_administrator(runner, create_user):
    admin = create_user(Role.ADMIN, email="seule@example.org")
    result = runner.invoke(args=["users", "reset-two-factor", "seule@example.org"])
    assert result.exit_code == 0, result.output
    db.session.refresh(admin)
    assert not admin.has_two_factor
    (entry,) = actions("account.two_factor_reset")
    assert entry.actor_id is None and entry.target_id == admin.id
    again = runner.invoke(args=["users", "reset-two-factor", "seule@example.org"])
    assert again.exit_code == 1
    unknown = runner.invoke(args=["users", "reset-two-factor", "nobody@example.org"])
    assert unknown.exit_code == 1 and "No account" in unknown.output
