"""Fixtures of the framework-deliberation and masterplan tests."""

import csv
import io
import re
from datetime import date
from html import unescape

import pytest

from participation.deliberations import promotion
from participation.extensions import db
from participation.models import AuditEntry, ProposalStatus
from participation.moderation import services as moderation

EN = {"Accept-Language": "en"}


@pytest.fixture
def moderator(create_user):
    return create_user(role="moderator", display_name="Modératrice du service Smart City")


@pytest.fixture
def create_retained(create_proposal, moderator):
    """A proposal retained by the moderator, through the state machine."""

    def factory(**fields):
        proposal = create_proposal(**fields)
        moderation.decide(proposal, moderator, ProposalStatus.RETAINED, "Retenue par la ville")
        db.session.commit()
        return proposal

    return factory


@pytest.fixture
def create_council_session(moderator):
    def factory(held_on: date = date(2027, 2, 1), title: str = "Conseil municipal", round=None):
        session = promotion.create_council_session(
            moderator, held_on, title, round.id if round is not None else None
        )
        db.session.commit()
        return session

    return factory


@pytest.fixture
def promoted(create_retained, create_user, create_council_session, moderator):
    """Deliberation no. 1 of a council session, from two retained proposals of two authors."""
    first = create_retained(title="Des vergers dans les écoles", author=create_user(locale="en"))
    second = create_retained(
        round=first.round, title="Des arbres fruitiers", author=create_user(locale="en")
    )
    session = create_council_session(round=first.round)
    deliberation = promotion.promote(
        [first, second],
        moderator,
        promotion.DeliberationInput(
            council_session_id=session.id,
            number=1,
            pillar_id=first.pillar_id,
            title="Un verger dans chaque école",
            body="Planter des arbres fruitiers.\n\nLes élèves les entretiennent.",
        ),
    )
    db.session.commit()
    return deliberation


def audit_entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def parse_csv(response) -> list[list[str]]:
    """The rows of a CSV download, as a spreadsheet program would read them."""
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff"), "UTF-8 byte-order mark expected"
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))


def input_value(html: str, name: str) -> str | None:
    """The value an <input name=...> shows, whatever the order of its attributes."""
    for tag in re.findall(r"<input\b[^>]*>", html):
        if f'name="{name}"' in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return unescape(found.group(1)) if found else ""
    return None
