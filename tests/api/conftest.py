"""Factories for the API tests: comments and workshops as plain rows."""

from datetime import timedelta

import pytest

from participation.extensions import db
from participation.models import ProgressNote, ProposalEvent, Workshop, utcnow


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
