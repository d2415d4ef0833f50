"""Factories for comment tests: a commentable proposal, comments with exact counters."""

from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update

from participation.extensions import db
from participation.models import Comment, Proposal, Role, utcnow


@pytest.fixture
def create_reporter(create_user):
    """An account whose address was confirmed weeks ago: its reports count towards hiding
    (those of accounts confirmed less than REPORT_ACCOUNT_MIN_DAYS ago do not)."""

    def factory(**fields):
        fields.setdefault("email_confirmed_at", utcnow() - timedelta(days=30))
        return create_user(**fields)

    return factory


@pytest.fixture
def client(app):
    """Requests in English, so that tests read the English text whatever the catalogue holds."""
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


@pytest.fixture
def proposal(create_proposal):
    """A published proposal in a round collecting proposals: open to comments."""
    return create_proposal()


@pytest.fixture
def resident(create_user):
    return create_user(display_name="Camille")


@pytest.fixture
def moderator(create_user):
    return create_user(role=Role.MODERATOR, display_name="Modératrice")


@pytest.fixture
def fetch(app):
    """``fetch(Model, id)``: the row as the database has it now (None when gone)."""

    def get(model, ident):
        db.session.expire_all()
        return db.session.get(model, ident)

    return get


@pytest.fixture
def bulk_comments(app):
    """Many comments at once (inserted in bulk), with exact counters."""

    def factory(proposal, authors, top_level: int, replies_every: int = 5):
        """``top_level`` comments, two replies on every ``replies_every``-th one; exact counters."""
        start = utcnow() - timedelta(days=2)
        rows = [
            {
                "proposal_id": proposal.id,
                "author_id": authors[i % len(authors)].id,
                "origin": "online",
                "body": f"Commentaire {i}",
                "body_html": f"<p>Commentaire {i}</p>",
                "reply_count": 0,
                "created_at": start + timedelta(seconds=i),
            }
            for i in range(top_level)
        ]
        db.session.execute(insert(Comment), rows)
        parents = db.session.scalars(
            select(Comment.id).where(Comment.proposal_id == proposal.id).order_by(Comment.id)
        ).all()
        replies = [
            {
                "proposal_id": proposal.id,
                "parent_id": parent_id,
                "author_id": authors[(n + 1) % len(authors)].id,
                "origin": "online",
                "body": "Réponse",
                "body_html": "<p>Réponse</p>",
                "reply_count": 0,
                "created_at": start + timedelta(seconds=top_level + n),
            }
            for index, parent_id in enumerate(parents)
            if index % replies_every == 0
            for n in range(2)
        ]
        db.session.execute(insert(Comment), replies)
        db.session.execute(
            update(Comment)
            .where(Comment.id.in_([r["parent_id"] for r in replies]))
            .values(reply_count=2)
        )
        db.session.execute(
            update(Proposal)
            .where(Proposal.id == proposal.id)
            .values(comment_count=top_level + len(replies))
        )
        db.session.commit()

    return factory
