"""Limits on signing in (per account and per network address, over a minute, an hour and a day)
and on what one e-mail address can be sent; lockouts in the audit log."""

import pytest
from limits import parse_many
from sqlalchemy import select

from participation.accounts import routes
from participation.extensions import db
from participation.models import AuditEntry
from tests.conftest import TEST_PASSWORD

EN = {"Accept-Language": "en"}


@pytest.fixture
def limited(app, app_factory):
    # Made after the test's ``app`` (the limiter extension keeps the last app's settings).
    app = app_factory(RATELIMIT_ENABLED=True)
    with app.app_context():
        yield app


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def lockouts() -> list[AuditEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.sign_in_locked"))
    )


@pytest.mark.parametrize(
    "limit", [routes.SIGN_IN_LIMIT, routes.SIGN_IN_ACCOUNT_LIMIT, routes.CODE_LIMIT]
)
def test_sign_in_limits_cover_a_minute_an_hour_and_a_day(limit):
    windows = {item.GRANULARITY.name for item in parse_many(limit)}
    assert windows == {"minute", "hour", "day"}


def test_an_account_is_paused_after_five_failures_from_anywhere(limited, create_user):
    user = create_user(email="cible@example.org")
    wrong = {"email": "cible@example.org", "password": "not the password at all"}
    statuses = [
        from_address(limited, f"198.51.100.{n}").post("/sign-in", data=wrong).status_code
        for n in range(5)
    ]
    assert statuses == [200] * 5
    paused = from_address(limited, "203.0.113.9").post(
        "/sign-in", data={"email": "cible@example.org", "password": TEST_PASSWORD}
    )
    assert paused.status_code == 429
    assert "Too many sign-in attempts" in paused.text and "paused for" in paused.text
    assert 0 < int(paused.headers["Retry-After"]) <= 60
    # One entry for the lockout, however many attempts follow.
    from_address(limited, "203.0.113.10").post("/sign-in", data=wrong)
    (entry,) = lockouts()
    assert entry.target_type == "users" and entry.target_id == user.id
    assert entry.actor_id is None and "minute" in entry.after["limit"]


def test_the_account_limit_says_nothing_of_whether_the_account_exists(limited, create_user):
    create_user(email="real@example.org")
    answers = []
    for email in ("real@example.org", "ghost@example.org"):
        data = {"email": email, "password": "not the password at all"}
        for n in range(5):
            from_address(limited, f"198.51.100.{n}").post("/sign-in", data=data)
        answer = from_address(limited, "198.51.100.99").post("/sign-in", data=data)
        answers.append((answer.status_code, answer.text.replace(email, "X")))
    assert answers[0][0] == answers[1][0] == 429
    assert "Too many sign-in attempts" in answers[1][1]


def test_one_address_trying_many_accounts_is_paused(limited, create_user):
    client = from_address(limited, "192.0.2.7")
    statuses = [
        client.post(
            "/sign-in", data={"email": f"person{n}@example.org", "password": "guess guess guess"}
        ).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    # Another address is not affected.
    other = from_address(limited, "192.0.2.8").post(
        "/sign-in", data={"email": "person1@example.org", "password": "guess guess guess"}
    )
    assert other.status_code == 200
    (entry,) = lockouts()
    assert entry.target_type == "platform" and entry.target_id is None


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (
            "/sign-up",
            {
                "display_name": "Quelqu'un",
                "password": TEST_PASSWORD,
                "password_confirm": TEST_PASSWORD,
                "neighbourhood_id": "",
            },
        ),
        ("/confirm/again", {}),
        ("/password/forgotten", {}),
    ],
)
def test_one_email_address_receives_a_few_mails_an_hour_whoever_asks(
    limited, create_user, outbox, url, data
):
    create_user(email="victime@example.org", confirmed=url != "/confirm/again")
    statuses = [
        from_address(limited, f"198.51.100.{n}")
        .post(url, data={**data, "email": "victime@example.org"})
        .status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert len([m for m in outbox() if m["To"] == "victime@example.org"]) == 3
    # Another address is still served.
    other = from_address(limited, "198.51.100.50").post(
        url, data={**data, "email": "autre@example.org"}
    )
    assert other.status_code == 200
