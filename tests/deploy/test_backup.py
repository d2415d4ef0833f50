"""The backup procedure of the README, run for real: pg_dump of a populated database, pg_restore
into an empty one, and every proposal, support, comment, paper vote, audit entry and queued mail
is found again, identical."""

import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from participation.extensions import db
from participation.models import Comment, PaperSupport, Role, Workshop, utcnow
from participation.moderation import services as moderation
from participation.proposals import supports
from participation.text import render_markdown

from .conftest import on_postgresql

TABLES = (
    "users",
    "proposals",
    "supports",
    "comments",
    "workshops",
    "paper_supports",
    "audit_entries",
    "outbox_messages",
    "alembic_version",
)


@pytest.fixture
def populated(create_user, create_proposal):
    moderator = create_user(Role.MODERATOR)
    proposals = [create_proposal(status="submitted") for _ in range(4)]
    for proposal in proposals:
        moderation.publish(proposal, moderator)  # an audit entry and a mail each
    residents = [create_user() for _ in range(5)]
    for n, resident in enumerate(residents):
        for proposal in proposals[: n % 4 + 1]:
            supports.support(proposal, resident)
        body = f"Avis n° {n} : d'accord « à 100 % »."
        db.session.add(
            Comment(
                proposal=proposals[n % 4],
                author=resident,
                body=body,
                body_html=render_markdown(body),
            )
        )
    workshop = Workshop(
        round=proposals[0].round,
        title="Atelier du Mont-Liébaut",
        place="Salle des fêtes",
        starts_at=utcnow() - timedelta(hours=3),
        ends_at=utcnow() - timedelta(hours=1),
    )
    db.session.add(workshop)
    db.session.flush()
    db.session.add_all(
        PaperSupport(workshop_id=workshop.id, proposal_id=p.id, count=n + 2, sheet_count=n + 2)
        for n, p in enumerate(proposals)
    )
    db.session.commit()


def rows(engine, table: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]


@on_postgresql
def test_a_dump_restored_into_an_empty_database_holds_everything(
    app, database_url, populated, tmp_path
):
    source = make_url(database_url)
    target = source.set(database=f"{source.database}_restore")
    libpq = {
        "host": source.host or "127.0.0.1",
        "port": str(source.port or 5432),
        "user": source.username or "postgres",
    }
    connection = ["-h", libpq["host"], "-p", libpq["port"], "-U", libpq["user"]]
    dump = tmp_path / "participation.dump"
    subprocess.run(
        ["pg_dump", *connection, "--format=custom", "--file", str(dump), source.database],
        check=True,
    )
    subprocess.run(["dropdb", *connection, "--if-exists", target.database], check=True)
    subprocess.run(["createdb", *connection, target.database], check=True)
    restored = create_engine(target)
    try:
        subprocess.run(
            ["pg_restore", *connection, "--no-owner", "--dbname", target.database, str(dump)],
            check=True,
        )
        counts = {}
        for table in TABLES:
            original = rows(db.engine, table)
            assert rows(restored, table) == original, table
            counts[table] = len(original)
        assert counts["proposals"] == 4 and counts["supports"] == 11
        assert counts["comments"] == 5 and counts["paper_supports"] == 4
        assert counts["audit_entries"] >= 4 and counts["outbox_messages"] == 4
    finally:
        restored.dispose()
        subprocess.run(["dropdb", *connection, "--if-exists", target.database], check=True)
