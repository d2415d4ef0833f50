"""The security baseline every page shares."""

import pytest

from participation.extensions import db


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
    monkeypatch.setenv("PUBLIC_URL", "https://participation.example")
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
    response = client.post("/sign-up", data={"email": "a@example.org"})
    assert response.status_code == 400


def test_a_visitor_switches_language_without_a_token_a_signed_in_person_needs_one(
    app_factory, create_user
):
    from tests.conftest import open_session

    app = app_factory(WTF_CSRF_ENABLED=True)
    visitor = app.test_client()
    # A visitor's choice only touches their own session: no token needed, none on the page.
    assert "csrf_token" not in visitor.get("/").text
    response = visitor.post("/language", data={"locale": "en", "next": "/pillars/"})
    assert response.status_code == 302
    assert '<html lang="en"' in visitor.get("/pillars/").text

    # A signed-in person's choice is saved to the account: refused without the token.
    user = create_user(locale="fr")
    person = app.test_client()
    with person.session_transaction() as session:
        session["_user_id"] = open_session(user)
        session["_fresh"] = True
    assert person.post("/language", data={"locale": "en"}).status_code == 400
    db.session.refresh(user)
    assert user.locale == "fr"


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


# --- canonical links -------------------------------------------------------------------------


def _production(monkeypatch, database_url, public_url="https://participation.example"):
    monkeypatch.setenv("PARTICIPATION_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("SERVER_NAME", raising=False)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    if public_url:
        monkeypatch.setenv("PUBLIC_URL", public_url)
    else:
        monkeypatch.delenv("PUBLIC_URL", raising=False)


def test_production_needs_a_public_address_and_trusts_only_its_host(monkeypatch, database_url):
    import config

    _production(monkeypatch, database_url, public_url=None)
    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        config.load_config()
    monkeypatch.setenv("PUBLIC_URL", "https://participation.example/")
    settings = config.load_config()
    assert settings["PUBLIC_URL"] == "https://participation.example"
    assert settings["TRUSTED_HOSTS"] == ["participation.example"]
    monkeypatch.setenv("TRUSTED_HOSTS", "participation.example, .ville-bethune.fr")
    assert config.load_config()["TRUSTED_HOSTS"] == ["participation.example", ".ville-bethune.fr"]
    monkeypatch.setenv("PUBLIC_URL", "participation.example")
    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        config.load_config()


def test_production_refuses_an_unknown_host_with_a_400(monkeypatch, database_url, app_factory):
    _production(monkeypatch, database_url)
    # No SERVER_NAME: nothing can build a link from the refused request's host either.
    app = app_factory(SERVER_NAME=None)
    client = app.test_client()
    assert client.get("/", base_url="https://participation.example").status_code == 200
    for path in ("/", "/sign-in", "/api/v1/pillars", "/nowhere"):
        refused = client.get(path, base_url="https://evil.example")
        assert refused.status_code == 400, path
    refused = client.post(
        "/password/forgotten", data={"email": "a@example.org"}, base_url="https://evil.example"
    )
    assert refused.status_code == 400


def test_mail_links_use_the_public_address_not_the_host_header(app, client, create_user, outbox):
    app.config["PUBLIC_URL"] = "https://participation.example"
    user = create_user(email="marie@example.org")
    response = client.post(
        "/password/forgotten", data={"email": user.email}, headers={"Host": "evil.example"}
    )
    assert response.status_code == 200
    (message,) = outbox()
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "https://participation.example/password/reset/" in body
    assert "evil.example" not in body


def test_public_address_falls_back_to_server_name(app):
    from participation.mail import public_url

    assert app.config["PUBLIC_URL"] is None
    assert public_url("accounts.sign_in") == "http://localhost/sign-in"
    app.config["PUBLIC_URL"] = "https://ville.example/participation"
    assert public_url("accounts.sign_in") == "https://ville.example/participation/sign-in"


def test_no_mail_template_or_module_builds_a_link_from_the_request():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for template in (root / "templates" / "mail").glob("*.txt"):
        assert "url_for" not in template.read_text(), template.name
    for module in (root / "participation").rglob("*.py"):
        assert not re.search(r"[(,\s]_external\s*=\s*True", module.read_text()), module


# --- caching ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/account", "/me", "/admin/users", "/", "/pillars/"])
def test_nothing_shown_to_a_signed_in_person_is_stored(client, sign_in, create_user, path):
    from participation.models import Role

    sign_in(create_user(Role.ADMIN))
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_page_with_a_form_is_not_stored_even_for_a_visitor(app_factory):
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/", "/rounds/", "/pillars/", "/deliberations/", "/masterplan/"])
def test_a_visitors_page_may_be_kept_by_a_shared_cache_and_revalidated(client, path):
    first = client.get(path)
    assert first.status_code == 200
    assert "Set-Cookie" not in first.headers
    control = first.cache_control
    assert control.public and control.max_age == 0 and control.s_maxage == 30
    # One copy per language and per cookie: a signed-in person's cookie is never served it.
    assert {"Cookie", "Accept-Language"} <= set(first.vary)
    etag = first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_a_visitors_page_changes_its_etag_when_what_it_shows_changes(
    client, create_proposal, create_user
):
    from participation.proposals import supports

    proposal = create_proposal()
    path = f"/rounds/{proposal.round.slug}/proposals/{proposal.number}"
    before = client.get(path).headers["ETag"]
    assert client.get(path).headers["ETag"] == before
    supports.support(proposal, create_user())
    db.session.commit()
    after = client.get(path, headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.headers["ETag"] != before


def test_api_answers_are_cached_publicly_only_for_visitors(
    client, sign_in, create_user, create_proposal
):
    proposal = create_proposal()
    url = f"/api/v1/proposals/{proposal.id}"
    visitor = client.get(url)
    assert visitor.status_code == 200
    assert visitor.headers["Cache-Control"] == "public, max-age=60"
    assert "Set-Cookie" not in visitor.headers
    # A cache keeps one answer for visitors; the cookie of a signed-in person asks again.
    assert "Cookie" in visitor.vary
    assert visitor.headers["ETag"]

    sign_in(create_user())
    signed_in = client.get(url, headers={"If-None-Match": visitor.headers["ETag"]})
    assert signed_in.status_code == 200
    assert signed_in.headers["Cache-Control"] == "no-store"
    assert signed_in.get_json()["id"] == proposal.id


def test_static_files_stay_cacheable_for_a_signed_in_person(client, sign_in, create_user):
    sign_in(create_user())
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Set-Cookie" not in response.headers
    response.close()
