"""What a new password must be (ASVS V6): long enough, not a common one, not the person's name
or address; long passphrases and pasting welcome."""

import re
import secrets

import pytest
from sqlalchemy import func, select

from participation.accounts.passwords import password_problem, verify_password
from participation.extensions import db
from participation.models import User
from tests.accounts.test_sign_up import link_in
from tests.conftest import TEST_PASSWORD

EN = {"Accept-Language": "en"}


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def sign_up_with(client, password, **fields):
    data = {
        "email": "marie.dupont@example.org",
        "display_name": "Marie Dupont",
        "password": password,
        "password_confirm": password,
        "neighbourhood_id": "",
    }
    data.update(fields)
    return client.post("/sign-up", data=data, headers=EN)


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("password1234", "among the most used"),
        ("azertyuiop123", "among the most used"),
        ("motdepasse123", "among the most used"),
        ("marie.dupont@example.org", "built from your name"),
        ("MarieDupont2024", "built from your name"),
        ("dupont-marie-62", "built from your name"),
        ("bethune2032!!", "built from your name"),
        ("aaaaaaaaaaaaaaaa", "too easy to guess"),
        ("short", "at least 12 characters"),
    ],
)
def test_sign_up_refuses_a_guessable_password_and_says_why(client, outbox, password, words):
    response = sign_up_with(client, password)
    assert response.status_code == 200
    assert words in response.text
    assert users() == 0 and outbox() == []


@pytest.mark.parametrize(
    "password",
    [
        TEST_PASSWORD,
        "Le beffroi sonne à midi pile",
        # Long passphrases are welcome: no limit below 64 characters, 128 and more accepted.
        "une phrase de passe vraiment très longue, " + secrets.token_urlsafe(96),
        "ñandú-émeu-💡-kiwi-żubr",
    ],
)
def test_sign_up_accepts_long_and_unusual_passwords(client, outbox, password):
    response = sign_up_with(client, password)
    assert response.status_code == 200 and "Check your inbox" in response.text
    user = db.session.scalar(select(User))
    assert verify_password(user.password_hash, password)


def test_the_password_fields_allow_pasting_and_set_no_short_limit(client, create_user, sign_in):
    pages = [client.get("/sign-up").text, client.get("/sign-in").text]
    sign_in(create_user())
    pages.append(client.get("/account").text)
    for page in pages:
        for tag in re.findall(r'<input[^>]*type="password"[^>]*>', page):
            assert "onpaste" not in tag and "maxlength" not in tag, tag
    assert all("onpaste" not in page for page in pages)


def test_a_password_change_refuses_the_persons_own_name(client, create_user, sign_in):
    user = create_user(email="paul.leroy@example.org", display_name="Paul Leroy")
    before = user.password_hash
    sign_in(user)
    response = client.post(
        "/account/password",
        data={
            "password-current_password": TEST_PASSWORD,
            "password-password": "paul.leroy2025",
            "password-password_confirm": "paul.leroy2025",
        },
        headers=EN,
    )
    assert response.status_code == 400
    assert "built from your name" in response.text
    db.session.refresh(user)
    assert user.password_hash == before


def test_a_reset_refuses_a_common_password_in_french(client, create_user, outbox):
    user = create_user(email="paul@example.org")
    before = user.password_hash
    client.post("/password/forgotten", data={"email": "paul@example.org"})
    link = link_in(outbox()[0])
    response = client.post(
        link,
        data={"password": "iloveyou123456", "password_confirm": "iloveyou123456"},
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 200
    assert 'lang="fr"' in response.text
    assert "iloveyou123456" not in response.text  # what was typed is not shown back
    db.session.refresh(user)
    assert user.password_hash == before


def test_the_rule_reads_the_person_from_the_inputs(app):
    with app.test_request_context(headers=EN):
        assert password_problem("Rosalind-Franklin", ["Rosalind Franklin"])
        assert password_problem("Rosalind-Franklin", []) is None
        assert "most used" in password_problem("qwertyuiop1234")
        assert password_problem(secrets.token_urlsafe(192)) is None  # 256 characters
        assert "at most 256" in password_problem(secrets.token_urlsafe(193))


def test_the_command_line_refuses_a_common_password(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "admin@example.org",
            "--name",
            "Admin",
            "--role",
            "admin",
            "--password",
            "password123456",
        ]
    )
    assert result.exit_code != 0 and "Invalid value for password" in result.output
    assert users() == 0
