import re

from participation.extensions import db
from tests.accounts.test_sign_up import link_in
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "a brand new long password"


def request_reset(client, email):
    return client.post("/password/forgotten", data={"email": email})


def test_reset_password_through_the_mailed_link(app, client, create_user, outbox, sign_in):
    user = create_user(email="paul@example.org")
    # A browser that was signed in before the reset (perhaps someone else's).
    before = sign_in(user, app.test_client())
    assert before.get("/account").status_code == 200
    response = request_reset(client, "paul@example.org")
    assert response.status_code == 200
    link = link_in(outbox()[0])
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert before.get("/account").status_code == 302
    assert (
        client.post(
            "/sign-in", data={"email": "paul@example.org", "password": NEW_PASSWORD}
        ).status_code
        == 302
    )
    # The link works once.
    client.post("/sign-out")
    assert client.get(link).status_code == 400


def test_reset_for_unknown_address_answers_the_same_and_sends_nothing(client, create_user, outbox):
    create_user(email="paul@example.org")
    known = request_reset(client, "paul@example.org")
    unknown = request_reset(client, "nobody@example.org")
    assert known.text.replace("paul@", "X@") == unknown.text.replace("nobody@", "X@")
    assert [m["To"] for m in outbox()] == ["paul@example.org"]


def test_expired_reset_link_offers_a_new_one(app, client, create_user, outbox):
    create_user(email="paul@example.org")
    request_reset(client, "paul@example.org")
    link = link_in(outbox()[0])
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    response = client.get(link)
    assert response.status_code == 400
    assert "/password/forgotten" in response.text


def test_reset_form_rejects_short_password_and_keeps_nothing(client, create_user, outbox):
    user = create_user(email="paul@example.org")
    before = user.password_hash
    request_reset(client, "paul@example.org")
    link = link_in(outbox()[0])
    response = client.post(link, data={"password": "short", "password_confirm": "short"})
    assert response.status_code == 200
    assert "12" in response.text
    db.session.refresh(user)
    assert user.password_hash == before


def test_change_password_signs_out_other_sessions(app, client, create_user, sign_in):
    user = create_user()
    sign_in(user)
    other = app.test_client()
    sign_in(user, other)
    response = client.post(
        "/account/password",
        data={
            "password-current_password": TEST_PASSWORD,
            "password-password": NEW_PASSWORD,
            "password-password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


def test_change_password_with_wrong_current_password_is_refused(client, create_user, sign_in):
    user = create_user()
    sign_in(user)
    response = client.post(
        "/account/password",
        data={
            "password-current_password": "not my password",
            "password-password": NEW_PASSWORD,
            "password-password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert "mot de passe n’est pas correct" in response.text


def test_change_email_through_a_link_sent_to_the_new_address(client, create_user, sign_in, outbox):
    user = create_user(email="old@example.org")
    sign_in(user)
    response = client.post(
        "/account/email",
        data={"email-email": "New@Example.org", "email-current_password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.email == "old@example.org"
    assert user.pending_email == "new@example.org"
    (message,) = outbox()
    assert message["To"] == "new@example.org"
    link = link_in(message)
    assert re.match(r"/account/email/confirm/", link)
    client.get(link)
    db.session.refresh(user)
    assert user.email == "new@example.org"
    assert user.pending_email is None


def test_change_email_to_a_taken_address_tells_its_owner_not_the_requester(
    client, create_user, sign_in, outbox
):
    create_user(email="taken@example.org")
    user = create_user(email="me@example.org")
    sign_in(user)
    response = client.post(
        "/account/email",
        data={"email-email": "taken@example.org", "email-current_password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.email == "me@example.org" and user.pending_email is None
    (message,) = outbox()
    assert message["To"] == "taken@example.org"
    assert "/account/email/confirm" not in message.get_content()


def test_profile_update_keeps_input_on_error(client, create_user, sign_in, create_neighbourhood):
    user = create_user()
    quarter = create_neighbourhood("Mont-Liébaut")
    sign_in(user)
    response = client.post(
        "/account/profile", data={"profile-display_name": "J", "profile-neighbourhood_id": ""}
    )
    assert response.status_code == 400
    assert 'value="J"' in response.text
    response = client.post(
        "/account/profile",
        data={"profile-display_name": "Jeanne", "profile-neighbourhood_id": str(quarter.id)},
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.display_name, user.neighbourhood_id) == ("Jeanne", quarter.id)
    # An unticked box turns notifications off; ticking it turns them on again.
    assert user.notify_by_email is False
    client.post(
        "/account/profile",
        data={"profile-display_name": "Jeanne", "profile-notify_by_email": "y"},
    )
    db.session.refresh(user)
    assert user.notify_by_email is True
