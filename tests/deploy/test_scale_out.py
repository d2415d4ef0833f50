"""Two app servers (two gunicorn, two ports) and two mail workers on one PostgreSQL and one
Redis, driven at once: nothing lives in a process. Supports through both keep the counter exact,
a rate limit reached on one holds on the other, a session opened on one works on the other, and
each mail leaves once."""

import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from email import policy
from email.parser import BytesParser

import redis
import requests
from sqlalchemy import func, select

from participation.extensions import db
from participation.mail import queue_mail
from participation.models import MailStatus, OutboxMessage, Proposal, Support, User
from tests.conftest import TEST_PASSWORD, open_session

from .conftest import (
    REDIS_URL,
    free_port,
    needs_postgresql,
    production_environment,
    wait_healthy,
)

SECRET_KEY = "a-production-secret-for-the-test-only"
GUNICORN = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
WORKER = [sys.executable, "-m", "flask", "--app", "participation", "mail", "work"]


class Visitor:
    """A browser reduced to its session cookie, sent by hand: the production cookie is Secure,
    which an HTTP client keeps off plain HTTP."""

    def __init__(self, cookie: str | None = None):
        self.cookie = cookie

    def request(self, method: str, url: str, **options) -> requests.Response:
        headers = options.pop("headers", {})
        if self.cookie:
            headers["Cookie"] = f"session={self.cookie}"
        response = requests.request(
            method, url, headers=headers, allow_redirects=False, timeout=30, **options
        )
        if "session" in response.cookies:
            self.cookie = response.cookies["session"] or None
        return response

    def csrf_token(self, url: str) -> str:
        page = self.request("GET", url)
        assert page.status_code == 200, page.text[:2000]
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text).group(
            1
        )


def signed_cookie(app, user: User) -> str:
    """The cookie of a session opened for ``user`` (a row of user_sessions, as signing in does),
    signed with the servers' secret key."""
    token = open_session(user)
    app.config["SECRET_KEY"] = SECRET_KEY
    try:
        serializer = app.session_interface.get_signing_serializer(app)
        return serializer.dumps({"_user_id": token, "_fresh": True})
    finally:
        app.config["SECRET_KEY"] = "test-secret-key"


@needs_postgresql
def test_two_app_servers_share_everything(
    app, database_url, processes, tmp_path, create_user, create_proposal
):
    redis.Redis.from_url(REDIS_URL).flushdb()
    ports = [free_port(), free_port()]
    outbox = tmp_path / "outbox"
    servers = []
    for n, port in enumerate(ports):
        environment = production_environment(database_url, ports[0], outbox, PORT=str(port))
        servers.append(
            processes.start(f"web{n}", GUNICORN + ["participation:create_app()"], environment)
        )
        processes.start(f"mail{n}", WORKER, environment)
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    for base, server in zip(bases, servers, strict=True):
        wait_healthy(base, server, processes)

    # Thirty residents support one proposal at once, each reading the page on one server and
    # supporting through the other.
    proposal = create_proposal(status="published")
    path = f"/rounds/{proposal.round.slug}/proposals/{proposal.number}"
    residents = [create_user() for _ in range(30)]
    visitors = [Visitor(signed_cookie(app, resident)) for resident in residents]
    db.session.commit()

    def support(n: int) -> int:
        visitor = visitors[n]
        token = visitor.csrf_token(bases[n % 2] + path)
        response = visitor.request(
            "POST", bases[(n + 1) % 2] + path + "/support", data={"csrf_token": token}
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(support, range(30)))
    assert answers == [302] * 30
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).support_count == 30
    assert db.session.scalar(select(func.count()).select_from(Support)) == 30

    # A session opened on one server works on the other, and ends on both.
    create_user(email="lea@example.org", display_name="Léa Martin")
    lea = Visitor()
    token = lea.csrf_token(bases[0] + "/sign-in")
    signed_in = lea.request(
        "POST",
        bases[0] + "/sign-in",
        data={"csrf_token": token, "email": "lea@example.org", "password": TEST_PASSWORD},
    )
    assert signed_in.status_code == 302, signed_in.text[:2000]
    account = lea.request("GET", bases[1] + "/account")
    assert account.status_code == 200 and "Léa Martin" in account.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', account.text).group(1)
    assert (
        lea.request("POST", bases[1] + "/sign-out", data={"csrf_token": token}).status_code == 302
    )
    assert lea.request("GET", bases[0] + "/account").status_code in (302, 401)

    # Three reset mails an hour for an address, counted in Redis whichever server is asked.
    create_user(email="victime@example.org", display_name="Victime")
    db.session.commit()
    asker = Visitor()
    token = asker.csrf_token(bases[0] + "/password/forgotten")
    answers = [
        asker.request(
            "POST",
            bases[n % 2] + "/password/forgotten",
            data={"csrf_token": token, "email": "victime@example.org"},
        ).status_code
        for n in range(5)
    ]
    assert answers == [200, 200, 200, 429, 429]

    # Each mail leaves once, whichever of the two workers takes it.
    owner = User(email="owner@example.org", display_name="Anne", password_hash="x")
    for n in range(40):
        queue_mail(f"r{n}@example.org", "Votre compte", "already_registered", user=owner)
    db.session.commit()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        db.session.expire_all()
        waiting = db.session.scalar(
            select(func.count()).where(OutboxMessage.status != MailStatus.SENT)
        )
        if waiting == 0:
            break
        time.sleep(0.3)
    assert waiting == 0
    parser = BytesParser(policy=policy.default)
    files = [parser.parsebytes(p.read_bytes()) for p in outbox.glob("*.eml")]
    sent = db.session.scalars(select(OutboxMessage.message_id)).all()
    assert len(sent) == 43
    assert sorted(m["Message-ID"] for m in files) == sorted(sent)
    assert [m["To"] for m in files].count("victime@example.org") == 3
