"""The security baseline every page shares."""

import pytest


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_lax(client):
    client.post("/language", data={"locale": "en", "next": "/"})
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_production_cookies_are_secure_and_secret_is_required(monkeypatch):
    import config

    monkeypatch.setenv("PARTICIPATION_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@localhost/db")
    with pytest.raises(RuntimeError):
        config.load_config()
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    settings = config.load_config()
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_forms_are_refused_without_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/sign-in", data={"email": "a@example.org", "password": "x" * 12})
    assert response.status_code == 400
    response = client.post("/language", data={"locale": "en"})
    assert response.status_code == 400


def test_csrf_token_in_form_is_accepted(app_factory):
    import re

    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/sign-in").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/sign-in", data={"csrf_token": token, "email": "a@example.org", "password": "x" * 12}
    )
    assert response.status_code == 200


def test_request_size_is_limited(client):
    response = client.post("/sign-in", data={"email": "a" * (3 * 1024 * 1024)})
    assert response.status_code == 413


@pytest.mark.parametrize("code_path", ["/nowhere", "/pillars/unknown", "/rounds/unknown"])
def test_error_pages_in_both_languages(client, code_path):
    french = client.get(code_path, headers={"Accept-Language": "fr"})
    assert french.status_code == 404
    assert "Page introuvable" in french.text
    english = client.get(code_path, headers={"Accept-Language": "en"})
    assert "Page not found" in english.text
    assert '<html lang="en">' in english.text


def test_language_choice_sticks_and_accept_language_applies_without_one(client):
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en"}).text
    assert '<html lang="fr">' in client.get("/", headers={"Accept-Language": "de"}).text
    client.post("/language", data={"locale": "en", "next": "/pillars/"})
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "fr"}).text
    client.post("/language", data={"locale": "fr", "next": "/"})
    assert '<html lang="fr">' in client.get("/", headers={"Accept-Language": "en"}).text


def test_language_switch_refuses_unknown_language_and_foreign_redirects(client):
    assert client.post("/language", data={"locale": "de"}).status_code == 400
    response = client.post("/language", data={"locale": "en", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"
