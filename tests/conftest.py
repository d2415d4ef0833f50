"""Fixtures shared by the whole suite.

The suite runs on SQLite by default and on PostgreSQL when ``TEST_DATABASE_URL`` is set. The
schema is built once per run by the migrations (so the tests exercise them); each test then starts
from empty tables.
"""

import itertools
import os
from contextlib import contextmanager
from datetime import date, timedelta

import pyotp
import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text, update

from participation import create_app
from participation.extensions import db
from participation.masterplan import tracking
from participation.models import (
    Action,
    Carrier,
    Comment,
    CouncilSession,
    Deliberation,
    Neighbourhood,
    Pillar,
    Proposal,
    Report,
    Role,
    Round,
    User,
    utcnow,
)
from participation.text import render_markdown

TEST_PASSWORD = "correct horse battery staple"


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return _worker_database(url, worker) if worker else url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _worker_database(url: str, worker: str) -> str:
    """With pytest-xdist, each worker has a PostgreSQL database of its own beside the one named
    (``test`` → ``test_gw0``), created on first use: the suite empties its tables between tests."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    named = make_url(url)
    own = named.set(database=f"{named.database}_{worker}")
    engine = create_engine(named, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
        )
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    return own.render_as_string(hide_password=False)


def make_config(database_url: str, tmp_path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Figures computed afresh on each request, as the tests change the data between two;
        # tests/opendata/test_figures_cache.py keeps them, in Redis and in the process.
        "CACHE_TYPE": "NullCache",
        "CACHE_NO_NULL_WARNING": True,
        "MAIL_SERVER": None,
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        # The worker's daily digest only where a test asks for it (tests/following).
        "DIGEST_HOUR": None,
        "SERVER_NAME": "localhost",
        # Cheap hashing in tests; production cost comes from config.py.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """Build the schema once, with the migrations, on the database under test."""
    url = _database_url(tmp_path_factory)
    app = create_app(make_config(url, tmp_path_factory.mktemp("setup")))
    with app.app_context():
        from flask_migrate import downgrade, upgrade

        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        # Down and up again: every migration must be reversible.
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()
    return url


def _empty_tables() -> None:
    # DELETE, children first: much faster than TRUNCATE on the small tables of a test.
    if db.engine.dialect.name == "sqlite":
        # Rows that point to rows of their own table (merged proposals, replies).
        db.session.execute(text("PRAGMA defer_foreign_keys = ON"))
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_factory(database_url, tmp_path):
    """Build an app on the test database with extra settings (e.g. rate limits on)."""
    apps = []

    def factory(**overrides):
        app = create_app(make_config(database_url, tmp_path, **overrides))
        app.test_client_class = IsolatedClient
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            _empty_tables()
            db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a server does.

    The tests hold an app context open (for factories and queries); without this, requests would
    share its ``g`` (caching the locale and the signed-in user) and its database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    """The mails sent so far, oldest first: what the outbox holds that is due is delivered
    first (as the worker would) to the development mailer's .eml files, which are then read."""
    from email import policy
    from email.parser import BytesParser
    from pathlib import Path

    from participation.outbox import deliver_due

    directory = Path(app.config["MAIL_OUTBOX_DIR"])

    def read():
        deliver_due()
        if not directory.exists():
            return []
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(p.read_bytes()) for p in sorted(directory.glob("*.eml"))]

    return read


# --- factories -----------------------------------------------------------------------------

_sequence = itertools.count(1)


@pytest.fixture
def create_user(app):
    from participation.accounts.passwords import hash_password

    def factory(
        role: Role | str = Role.RESIDENT,
        email: str | None = None,
        display_name: str | None = None,
        password: str = TEST_PASSWORD,
        confirmed: bool = True,
        two_factor: bool | None = None,
        **fields,
    ) -> User:
        """An account; staff (moderators, administrators) have two-factor authentication on
        unless ``two_factor=False`` (their secret is ``user.totp_secret``)."""
        n = next(_sequence)
        if two_factor is None:
            two_factor = Role(role).requires_two_factor
        if two_factor:
            fields.setdefault("totp_secret", pyotp.random_base32())
            fields.setdefault("two_factor_enabled_at", utcnow())
        user = User(
            email=email or f"user{n}@example.org",
            display_name=display_name or f"Habitant {n}",
            password_hash=hash_password(password),
            role=str(Role(role)),
            email_confirmed_at=fields.pop("email_confirmed_at", utcnow() if confirmed else None),
            **fields,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def create_pillar(app):
    def factory(name_fr: str | None = None, **fields) -> Pillar:
        n = next(_sequence)
        pillar = Pillar(
            slug=fields.pop("slug", f"pilier-{n}"),
            name_fr=name_fr or f"Pilier {n}",
            name_en=fields.pop("name_en", f"Pillar {n}"),
            position=fields.pop("position", n),
            **fields,
        )
        db.session.add(pillar)
        db.session.commit()
        return pillar

    return factory


@pytest.fixture
def create_neighbourhood(app):
    def factory(name: str | None = None) -> Neighbourhood:
        n = next(_sequence)
        item = Neighbourhood(slug=f"quartier-{n}", name=name or f"Quartier {n}", position=n)
        db.session.add(item)
        db.session.commit()
        return item

    return factory


@pytest.fixture
def create_round(app):
    def factory(title: str | None = None, phase: str = "collecting", pillars=(), **fields) -> Round:
        """A round whose calendar puts it in ``phase`` now."""
        n = next(_sequence)
        now = utcnow()
        day = timedelta(days=1)
        starts = {
            "upcoming": now + 10 * day,
            "collecting": now - 5 * day,
            "voting": now - 30 * day,
            "deliberation": now - 60 * day,
            "closed": now - 400 * day,
        }[phase]
        calendar = {
            "collect_starts_at": starts,
            "collect_ends_at": starts + 20 * day,
            "vote_starts_at": starts + 20 * day,
            "vote_ends_at": starts + 40 * day,
            "deliberation_ends_at": starts + 80 * day,
        }
        calendar.update(fields)
        round_ = Round(slug=f"concertation-{n}", title=title or f"Concertation {n}", **calendar)
        round_.pillars = list(pillars)
        db.session.add(round_)
        db.session.commit()
        return round_

    return factory


@pytest.fixture
def create_carrier(app):
    def factory(name: str | None = None, kind: str = "association", partners=(), **fields):
        """A carrier, found by its name when it exists already."""
        n = next(_sequence)
        name = name or f"Porteur {n}"
        carrier = db.session.scalar(db.select(Carrier).where(Carrier.name == name))
        if carrier is None:
            carrier = Carrier(
                slug=fields.pop("slug", f"porteur-{n}"), name=name, kind=kind, **fields
            )
            db.session.add(carrier)
        carrier.partners.extend(partners)
        db.session.commit()
        return carrier

    return factory


@pytest.fixture
def create_action(app, create_pillar, create_carrier):
    def factory(carrier=None, pillar=None, **fields) -> Action:
        n = next(_sequence)
        action = Action(
            title=fields.pop("title", f"Action {n}"),
            pillar=pillar or create_pillar(),
            carrier=carrier or create_carrier(),
            **fields,
        )
        db.session.add(action)
        db.session.commit()
        return action

    return factory


@pytest.fixture
def create_deliberation(app, create_pillar, create_carrier):
    sessions: dict = {}

    def factory(pillar: Pillar | None = None, number: int | None = None, **fields) -> Deliberation:
        held_on = fields.pop("held_on", date(2018, 12, 11))
        session = sessions.get(held_on)
        if session is None:
            session = CouncilSession(held_on=held_on, title=f"Conseil municipal du {held_on}")
            db.session.add(session)
            sessions[held_on] = session
        status = fields.pop("masterplan_status", "project")
        carrier = fields.pop("carrier", None)
        item = Deliberation(
            council_session=session,
            number=number or next(_sequence),
            pillar=pillar or create_pillar(),
            title=fields.pop("title", "Délibération d'essai"),
            **fields,
        )
        db.session.add(item)
        db.session.flush()
        # Each deliberation leads to its action, carried by the city unless named otherwise.
        action = tracking.action_for_deliberation(
            item, carrier=create_carrier(name=carrier) if carrier else None
        )
        action.status = status
        db.session.commit()
        return item

    return factory


# --- helpers -------------------------------------------------------------------------------


def open_session(user: User, device: str = "pytest") -> str:
    """Open a server-side session for ``user`` as signing in does; returns the token that the
    cookie holds (``session["_user_id"]``)."""
    from participation.accounts import sessions

    token = sessions.start(user, device)
    db.session.commit()
    return token


@pytest.fixture
def sign_in(client):
    """Sign ``user`` in on the test client without going through the form."""

    def do(user: User, target_client=None):
        c = target_client or client
        token = open_session(user)
        with c.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
        return c

    return do


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...`` then ``counter.count``."""

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def assert_page_queries(client, count_queries):
    """Fetch ``url`` and fail unless it answers 200 within ``expected`` SQL queries."""

    def check(url: str, expected: int, target_client=None):
        c = target_client or client
        with count_queries() as counter:
            response = c.get(url)
        assert response.status_code == 200, response.status_code
        assert counter.count <= expected, "\n".join(
            [f"{counter.count} queries > {expected} for {url}:"] + counter.statements
        )
        return counter.count

    return check


@pytest.fixture
def create_comment(app, create_user):
    """A comment row written directly (any age, origin or state), counters kept in step."""

    def factory(
        proposal: Proposal,
        author=None,
        body: str = "Un commentaire d'essai.",
        parent: Comment | None = None,
        minutes_ago: int = 0,
        **fields,
    ) -> Comment:
        if author is None and fields.get("origin", "online") == "online":
            author = create_user()
        comment = Comment(
            proposal_id=proposal.id,
            parent_id=parent.id if parent is not None else None,
            author_id=author.id if author is not None else None,
            body=body,
            body_html=render_markdown(body),
            created_at=fields.pop("created_at", utcnow() - timedelta(minutes=minutes_ago)),
            **fields,
        )
        db.session.add(comment)
        db.session.flush()
        if comment.deleted_at is None and comment.hidden_at is None:
            db.session.execute(
                update(Proposal)
                .where(Proposal.id == proposal.id)
                .values(comment_count=Proposal.comment_count + 1)
            )
            if parent is not None:
                db.session.execute(
                    update(Comment)
                    .where(Comment.id == parent.id)
                    .values(reply_count=Comment.reply_count + 1)
                )
        db.session.commit()
        return comment

    return factory


@pytest.fixture
def create_report(app):
    """A report on a proposal or on a comment (any date, any state)."""

    def factory(reporter, proposal=None, comment=None, reason: str = "Propos déplacés.", **fields):
        report = Report(
            reporter_id=reporter.id,
            proposal_id=proposal.id if proposal is not None else None,
            comment_id=comment.id if comment is not None else None,
            reason=reason,
            **fields,
        )
        db.session.add(report)
        db.session.commit()
        return report

    return factory


@pytest.fixture
def create_proposal(app, create_round, create_pillar, create_user):
    """A proposal in ``status`` (published by default) in an open round."""
    from participation.proposals.services import _next_number

    def factory(round=None, author=None, status: str = "published", **fields) -> Proposal:
        if round is None:
            pillar = fields.get("pillar") or create_pillar()
            round = create_round(pillars=[pillar])
        pillar = fields.pop("pillar", None) or (
            round.pillars[0] if round.pillars else create_pillar()
        )
        if pillar not in round.pillars:
            round.pillars.append(pillar)
        if author is None and fields.get("origin", "online") == "online":
            author = create_user()
        body = fields.pop("body", "Un texte de proposition assez long pour être lu.")
        now = utcnow()
        proposal = Proposal(
            round=round,
            number=_next_number(round.id),
            pillar=pillar,
            author=author,
            title=fields.pop("title", "Une proposition d'essai"),
            body=body,
            body_html=render_markdown(body),
            status=status,
            published_at=now if status != "submitted" else None,
            **fields,
        )
        db.session.add(proposal)
        db.session.commit()
        return proposal

    return factory


@pytest.fixture
def propose_change(app):
    """A change to a proposal of a pre-moderated round, left waiting for a moderator, made by
    its author through the edit service (as the edit form makes it)."""
    from participation.proposals.services import ProposalInput, edit_proposal

    def factory(proposal: Proposal, title: str, body: str | None = None):
        assert proposal.round.premoderation, "a change waits only in a pre-moderated round"
        body = body if body is not None else f"{title}."
        data = ProposalInput(title, body, proposal.pillar_id, proposal.neighbourhood_id)
        assert not edit_proposal(proposal, proposal.author, data), "the change was published"
        db.session.commit()
        return proposal.revision

    return factory
