"""Rate limits are shared between app servers through Redis when REDIS_URL is set."""

import socket
import uuid

import pytest

REDIS = ("127.0.0.1", 6379)


def redis_available() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5):
            return True
    except OSError:
        return False


def test_config_uses_redis_for_limits_when_redis_url_is_set(monkeypatch):
    import config

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert config.load_config()["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    monkeypatch.delenv("REDIS_URL")
    assert config.load_config()["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_two_app_servers_share_the_sign_in_limit(app_factory):
    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        # A prefix of its own, so that runs never see each other's counters.
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    first = app_factory(**settings).test_client()
    second = app_factory(**settings).test_client()
    data = {"email": "someone@example.org", "password": "not the password"}
    statuses = [first.post("/sign-in", data=data).status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert second.post("/sign-in", data=data).status_code == 429


def test_error_pages_for_403_and_500_in_both_languages(app_factory, create_user):
    from flask import abort

    app = app_factory()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    @app.get("/forbidden")
    def forbidden():
        abort(403)

    client = app.test_client()
    for path, code, english in (
        ("/boom", 500, "Server error"),
        ("/forbidden", 403, "Access denied"),
    ):
        response = client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == code and english in response.text
        french = client.get(path, headers={"Accept-Language": "fr"})
        assert french.status_code == code and '<html lang="fr">' in french.text
        assert english not in french.text
