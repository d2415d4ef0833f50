import re

from participation.extensions import db
from tests.conftest import TEST_PASSWORD


def test_sign_in_and_out(client, create_user):
    user = create_user(email="anne@example.org")
    response = client.post(
        "/sign-in", data={"email": "ANNE@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    db.session.refresh(user)
    assert user.last_sign_in_at is not None
    client.post("/sign-out")
    assert client.get("/account").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client, create_user):
    create_user(email="anne@example.org")
    wrong = client.post("/sign-in", data={"email": "anne@example.org", "password": "nope" * 4})
    unknown = client.post("/sign-in", data={"email": "zoe@example.org", "password": "nope" * 4})
    assert wrong.status_code == unknown.status_code == 200

    def page(response, email):
        # The forms' CSRF tokens are signed with the time: they differ from one second on.
        return re.sub(r"<input[^>]*csrf_token[^>]*>", "", response.text.replace(email, "X@"))

    assert page(wrong, "anne@") == page(unknown, "zoe@")
    assert "n’est pas correct" in wrong.text or "ne sont pas corrects" in wrong.text


def test_session_is_cleared_at_sign_in_but_language_is_kept(client, create_user):
    create_user(email="anne@example.org")
    client.post("/language", data={"locale": "en", "next": "/"})
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/sign-in", data={"email": "anne@example.org", "password": TEST_PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["locale"] == "en"


def test_next_parameter_only_redirects_inside_the_site(client, create_user):
    create_user(email="anne@example.org")
    data = {"email": "anne@example.org", "password": TEST_PASSWORD}
    response = client.post("/sign-in", data={**data, "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    client.post("/sign-out")
    response = client.post("/sign-in", data={**data, "next": "/pillars/"})
    assert response.headers["Location"] == "/pillars/"


def test_erased_account_cannot_sign_in(client, create_user):
    from participation.models import utcnow

    create_user(email="gone@example.org", erased_at=utcnow())
    response = client.post(
        "/sign-in", data={"email": "gone@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert client.get("/account").status_code == 302


def test_account_page_requires_sign_in(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_sign_in_is_rate_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True)
    client = app.test_client()
    statuses = [
        client.post(
            "/sign-in", data={"email": "x@example.org", "password": "wrong password!"}
        ).status_code
        for _ in range(7)
    ]
    assert statuses[:5] == [200] * 5
    assert statuses[-1] == 429
    assert "Trop de" in client.post("/sign-in", data={"email": "x@example.org"}).text
