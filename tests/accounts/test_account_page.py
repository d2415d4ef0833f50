"""The account page: a blocked person keeps their account (password, data, erasure, sign-out)
but not the profile form, and the page says so instead of offering a form that is refused."""

from participation.extensions import db
from participation.models import User, utcnow
from tests.conftest import TEST_PASSWORD

EN = {"locale": "en", "next": "/"}
NEW_PASSWORD = "a brand new long password"


def test_an_active_person_edits_their_profile(client, create_user, sign_in):
    sign_in(create_user())
    client.post("/language", data=EN)
    page = client.get("/account").text
    assert 'action="/account/profile"' in page
    assert "your profile cannot be changed" not in page


def test_a_blocked_person_is_told_why_the_profile_cannot_change(client, create_user, sign_in):
    user = create_user(display_name="Anne", blocked_at=utcnow(), blocked_reason="Insultes")
    sign_in(user)
    client.post("/language", data=EN)
    page = client.get("/account")
    assert page.status_code == 200
    assert 'action="/account/profile"' not in page.text
    assert "While your account is blocked, your profile cannot be changed." in page.text
    assert "Anne" in page.text and "Insultes" in page.text
    # What stays theirs is still offered.
    for url in ("/account/password", "/account/email", "/me/data.json", "/me/erase"):
        assert url in page.text, url

    refused = client.post(
        "/account/profile", data={"profile-display_name": "Anne 2", "profile-neighbourhood_id": ""}
    )
    assert refused.status_code == 403
    assert "Your account is blocked" in refused.text
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "Anne"


def test_a_blocked_person_keeps_their_account_pages(client, create_user, sign_in):
    user = create_user(blocked_at=utcnow(), blocked_reason="Insultes")
    sign_in(user)
    assert client.get("/me").status_code == 200
    assert client.get("/me/data.json").status_code == 200
    assert client.get("/me/erase").status_code == 200
    changed = client.post(
        "/account/password",
        data={
            "password-current_password": TEST_PASSWORD,
            "password-password": NEW_PASSWORD,
            "password-password_confirm": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    erased = client.post("/me/erase", data={"current_password": NEW_PASSWORD, "confirm": "y"})
    assert erased.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).erased_at is not None


def test_a_blocked_person_can_sign_out(client, create_user, sign_in):
    sign_in(create_user(blocked_at=utcnow(), blocked_reason="Insultes"))
    assert client.post("/sign-out").status_code == 302
    assert client.get("/account").status_code == 302
