"""Sessions live on the server: ending one ends every copy of its cookie, and they expire."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from participation.accounts import services
from participation.extensions import db
from participation.models import AuditEntry, Role, UserSession, utcnow
from tests.accounts.test_sign_up import link_in
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "a brand new long password"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def sign_in_form(client, user, agent=FIREFOX):
    response = client.post(
        "/sign-in",
        data={"email": user.email, "password": TEST_PASSWORD},
        headers={"User-Agent": agent},
    )
    assert response.status_code == 302, response.text
    return client


def copy_of(app, client):
    """Another browser holding a copy of ``client``'s session cookie."""
    name = app.config["SESSION_COOKIE_NAME"]
    stolen = app.test_client()
    stolen.set_cookie(name, client.get_cookie(name).value, domain="localhost")
    return stolen


def opens_account(client) -> bool:
    response = client.get("/account")
    if response.status_code == 302:
        assert "/sign-in" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def session_count(user) -> int:
    return db.session.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    )


def test_a_cookie_copied_before_signing_out_opens_nothing_afterwards(app, create_user):
    user = create_user()
    client = sign_in_form(app.test_client(), user)
    stolen = copy_of(app, client)
    assert opens_account(stolen)
    client.post("/sign-out")
    assert not opens_account(client)
    assert not opens_account(stolen)
    assert session_count(user) == 0


def test_the_database_keeps_a_hash_of_the_token_not_the_token(app, create_user):
    user = create_user()
    client = sign_in_form(app.test_client(), user)
    with client.session_transaction() as session:
        token = session["_user_id"]
    (stored,) = db.session.scalars(select(UserSession.token_hash))
    assert token not in stored and str(user.id) != token
    assert len(stored) == 64


def test_a_password_change_ends_the_other_sessions_not_this_one(app, create_user):
    user = create_user()
    here = sign_in_form(app.test_client(), user)
    phone = sign_in_form(app.test_client(), user, SAFARI_IPHONE)
    stolen = copy_of(app, phone)
    response = here.post(
        "/account/password",
        data={
            "password-current_password": TEST_PASSWORD,
            "password-password": NEW_PASSWORD,
            "password-password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert opens_account(here)
    assert not opens_account(phone) and not opens_account(stolen)
    assert session_count(user) == 1


def test_a_password_reset_ends_every_session(app, client, create_user, outbox):
    user = create_user(email="paul@example.org")
    browser = sign_in_form(app.test_client(), user)
    client.post("/password/forgotten", data={"email": "paul@example.org"})
    link = link_in(outbox()[0])
    client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert not opens_account(browser)
    assert session_count(user) == 0


def test_erasure_ends_every_session(app, create_user):
    user = create_user()
    here = sign_in_form(app.test_client(), user)
    elsewhere = sign_in_form(app.test_client(), user)
    response = here.post("/me/erase", data={"current_password": TEST_PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert not opens_account(here) and not opens_account(elsewhere)
    assert session_count(user) == 0


def test_a_role_change_ends_the_sessions_of_the_account(app, create_user, sign_in):
    admin = create_user(Role.ADMIN)
    resident = create_user()
    theirs = sign_in_form(app.test_client(), resident)
    response = sign_in(admin).post(f"/admin/users/{resident.id}/role", data={"role": "facilitator"})
    assert response.status_code == 302
    assert not opens_account(theirs)
    # Signing in again gives the new role's pages.
    again = sign_in_form(app.test_client(), resident)
    assert again.get("/workshops/").status_code == 200


def test_a_block_ends_the_sessions_of_the_account(app, create_user, sign_in):
    moderator = create_user(Role.MODERATOR)
    resident = create_user()
    theirs = sign_in_form(app.test_client(), resident)
    response = sign_in(moderator).post(
        f"/moderation/users/{resident.id}/block", data={"reason": "Insultes répétées"}
    )
    assert response.status_code == 302
    db.session.refresh(resident)
    assert resident.is_blocked
    assert not opens_account(theirs)


def test_sign_out_everywhere_ends_them_all_and_is_audited(app, create_user):
    user = create_user()
    here = sign_in_form(app.test_client(), user)
    phone = sign_in_form(app.test_client(), user, SAFARI_IPHONE)
    response = here.post("/account/sessions/end-all")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert not opens_account(here) and not opens_account(phone)
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "account.sessions_ended")
    )
    assert (entry.actor_id, entry.target_id, entry.after) == (user.id, user.id, {"sessions": 2})


def test_the_account_page_lists_the_sessions_and_marks_this_device(app, create_user):
    user = create_user()
    here = sign_in_form(app.test_client(), user)
    sign_in_form(app.test_client(), user, SAFARI_IPHONE)
    page = here.get("/account", headers={"Accept-Language": "en"}).text
    assert "Firefox · Windows" in page and "Safari · iPhone" in page
    assert page.count("This device") == 1
    assert page.index("This device") > page.index("Firefox · Windows")
    assert page.count('name="session"') == 2
    assert "Sign out everywhere" in page


def test_ending_another_session_from_the_list(app, create_user):
    user = create_user()
    here = sign_in_form(app.test_client(), user)
    phone = sign_in_form(app.test_client(), user, SAFARI_IPHONE)
    other_id = db.session.scalar(
        select(UserSession.id).where(UserSession.device == "Safari · iPhone")
    )
    response = here.post("/account/sessions/end", data={"session": other_id})
    assert response.status_code == 302
    assert opens_account(here) and not opens_account(phone)


def test_nobody_ends_another_persons_session(app, create_user):
    user, other = create_user(), create_user()
    here = sign_in_form(app.test_client(), user)
    theirs = sign_in_form(app.test_client(), other)
    their_id = db.session.scalar(select(UserSession.id).where(UserSession.user_id == other.id))
    response = here.post("/account/sessions/end", data={"session": their_id})
    assert response.status_code == 404
    assert opens_account(theirs)
    for bad in ("", "abc", str(2**40)):
        assert here.post("/account/sessions/end", data={"session": bad}).status_code == 400


def age(user, **fields) -> None:
    db.session.execute(
        UserSession.__table__.update().where(UserSession.user_id == user.id).values(**fields)
    )
    db.session.commit()


def test_an_idle_session_expires(app, create_user):
    app.config["SESSION_IDLE_MINUTES"] = 30
    user = create_user()
    client = sign_in_form(app.test_client(), user)
    age(user, last_seen_at=utcnow() - timedelta(minutes=29))
    assert opens_account(client)
    age(user, last_seen_at=utcnow() - timedelta(minutes=31))
    assert not opens_account(client)
    assert session_count(user) == 0


def test_use_keeps_a_session_alive_until_its_absolute_limit(app, create_user):
    app.config["SESSION_MAX_DAYS"] = 2
    user = create_user()
    client = sign_in_form(app.test_client(), user)
    age(user, created_at=utcnow() - timedelta(days=1, hours=23))
    assert opens_account(client)
    age(user, created_at=utcnow() - timedelta(days=2, minutes=1))
    assert not opens_account(client)


def test_last_seen_is_written_at_most_once_a_minute(app, create_user):
    user = create_user()
    client = sign_in_form(app.test_client(), user)
    recent = utcnow() - timedelta(seconds=20)
    age(user, last_seen_at=recent)
    client.get("/account")
    db.session.expire_all()
    assert db.session.scalar(select(UserSession.last_seen_at)) == recent
    age(user, last_seen_at=utcnow() - timedelta(minutes=5))
    client.get("/")
    db.session.expire_all()
    assert db.session.scalar(select(UserSession.last_seen_at)) > recent


def test_a_request_that_changes_nothing_sends_no_cookie_back(app, create_user, create_round):
    """A page fetched in the background (similar proposals while a card is typed) must not send
    back the session as it was when it started: arriving after the form's answer, that copy would
    undo what the form stored (the "card saved" notice, the pillar to offer next)."""
    round_ = create_round("Béthune à 2032")
    client = sign_in_form(app.test_client(), create_user())
    client.get("/account")  # the first form page stores the CSRF token: a change, sent once
    for path in ("/", "/account", f"/rounds/{round_.slug}/proposals/similar?title=Navettes"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers.getlist("Set-Cookie") == [], path
    # A change is still sent, with the session's absolute limit as the cookie's.
    response = client.post("/language", data={"locale": "en", "next": "/"})
    (cookie,) = response.headers.getlist("Set-Cookie")
    assert cookie.startswith(app.config["SESSION_COOKIE_NAME"] + "=") and "Expires=" in cookie


@pytest.mark.parametrize(
    "headers", [{"Sec-Fetch-Mode": "cors"}, {"X-Requested-With": "fetch"}], ids=["browser", "ours"]
)
def test_a_script_signed_out_is_told_and_its_answer_never_writes_the_session(
    app, create_round, headers
):
    """The similar proposals, looked up while a card was typed, answered a session that had just
    ended with the sign-in redirect and its notice, written into the cookie as it was when the
    lookup left. Answered after the sign-in page, that copy erased the page's CSRF token: the
    facilitator's password was refused, and the card typed was lost."""
    round_ = create_round("Béthune à 2032")
    similar = f"/rounds/{round_.slug}/proposals/similar?title=Navettes"
    client = app.test_client()
    client.get("/sign-in")  # the sign-in form's token is in the session
    response = client.get(similar, headers=headers)
    assert response.status_code == 401
    assert response.json == {"message": "Veuillez vous connecter pour continuer."}
    assert response.headers.getlist("Set-Cookie") == []
    # Even a script's request that changed the session leaves the cookie as it was.
    with app.test_request_context(headers=headers):
        from flask import session

        session["notice"] = "changed"
        response = app.response_class()
        app.session_interface.save_session(app, session, response)
    assert response.headers.getlist("Set-Cookie") == [] and "Cookie" in response.vary
    # The person opening the same address is still sent to sign in, with the notice.
    response = client.get(similar)
    assert response.status_code == 302 and "/sign-in?next=" in response.location
    assert response.headers.getlist("Set-Cookie") != []


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (FIREFOX, "Firefox · Windows"),
        (SAFARI_IPHONE, "Safari · iPhone"),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge · Linux",
        ),
        ("curl/8.5.0", ""),
        (None, ""),
    ],
)
def test_devices_are_summarised_not_fingerprinted(agent, label):
    from participation.accounts.sessions import device_label

    assert device_label(agent) == label


def test_the_session_service_without_a_request(app, create_user):
    from participation.accounts import sessions

    user = create_user()
    laptop = sessions.start(user, FIREFOX)
    laptop_id = user.session_id
    phone = sessions.start(user, SAFARI_IPHONE)
    db.session.commit()
    assert [s.device for s in sessions.active_sessions(user)] == [
        "Safari · iPhone",
        "Firefox · Windows",
    ]
    assert sessions.current(phone).user.id == user.id
    # The password is changed from the laptop: the phone's session ends, the laptop's stays.
    user.session_id = laptop_id
    services.change_password(user, TEST_PASSWORD, NEW_PASSWORD)
    db.session.commit()
    assert sessions.current(phone) is None
    assert sessions.current(laptop).id == laptop_id
    assert sessions.end_all(user) == 1


def test_signing_in_again_ends_the_session_it_replaces(app, create_user):
    user = create_user()
    client = app.test_client()
    for _ in range(2):
        client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
    assert session_count(user) == 1
