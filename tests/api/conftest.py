"""Factories for the API tests: comments and workshops as plain rows."""

from datetime import timedelta

import pytest

from participation.extensions import db
from participation.models import Comment, ProgressNote, ProposalEvent, Workshop, utcnow
from participation.text import render_markdown


@pytest.fixture
def create_comment(app, create_user):
    def factory(proposal, author=None, body="Un commentaire public.", parent=None, **fields):
        if author is None and fields.get("origin", "online") == "online":
            author = create_user()
        comment = Comment(
            proposal=proposal,
            parent=parent,
            author=author,
            body=body,
            body_html=render_markdown(body),
            **fields,
        )
        db.session.add(comment)
        if parent is not None:
            parent.reply_count += 1
        db.session.commit()
        return comment

    return factory


@pytest.fixture
def create_workshop(app):
    def factory(round_, title="Atelier du quartier", days=-2, **fields):
        starts = utcnow() + timedelta(days=days)
        workshop = Workshop(
            round=round_,
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place=fields.pop("place", "Salle des fêtes"),
            **fields,
        )
        db.session.add(workshop)
        db.session.commit()
        return workshop

    return factory


@pytest.fixture
def add_event(app):
    def factory(proposal, kind="status", note=None, is_public=True, **fields):
        event = ProposalEvent(
            proposal=proposal, kind=kind, note=note, is_public=is_public, **fields
        )
        db.session.add(event)
        db.session.commit()
        return event

    return factory


@pytest.fixture
def add_progress_note(app):
    def factory(deliberation, body, noted_on, status=None):
        note = ProgressNote(action=deliberation.action, body=body, noted_on=noted_on, status=status)
        db.session.add(note)
        db.session.commit()
        return note

    return factory
