"""A small round with something of everything, and what must never leave it."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from participation.extensions import db
from participation.models import (
    Comment,
    PaperSupport,
    ProgressNote,
    Support,
    Workshop,
    utcnow,
)


@dataclass
class RoundData:
    round: object
    pillars: dict
    neighbourhood: object
    proposals: dict
    workshop: object
    deliberations: dict
    # Strings that must appear in no open-data file and on no public statistics page.
    secrets: list = field(default_factory=list)


@pytest.fixture
def add_comment(app):
    def factory(proposal, body, author=None, **fields):
        comment = Comment(proposal=proposal, author=author, body=body, body_html=body, **fields)
        db.session.add(comment)
        db.session.commit()
        return comment

    return factory


@pytest.fixture
def add_support(app):
    def factory(proposal, user, **fields):
        support = Support(
            proposal_id=proposal.id, user_id=user.id, round_id=proposal.round_id, **fields
        )
        proposal.support_count += 1
        db.session.add(support)
        db.session.commit()
        return support

    return factory


@pytest.fixture
def round_data(
    app,
    create_user,
    create_pillar,
    create_neighbourhood,
    create_round,
    create_proposal,
    create_deliberation,
    add_comment,
    add_support,
):
    habitat = create_pillar("Habitat / Environnement", name_en="Housing / Environment")
    mobility = create_pillar("Mobilité / Transports", name_en="Mobility / Transport")
    centre = create_neighbourhood("Centre-ville")
    round_ = create_round("Béthune à 2032", pillars=[habitat, mobility])
    alice = create_user(email="alice.secret@example.org", display_name="Alice Martin")
    bob = create_user(
        email="bob.blocked@example.org", display_name="Bob Bloqué", blocked_at=utcnow()
    )
    carol = create_user(email="carol.supporter@example.org", display_name="Carol")
    dave = create_user(email="dave.commenter@example.org", display_name="Dave")
    now = utcnow()
    workshop = Workshop(
        round=round_,
        title="Atelier mobilité",
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=2) + timedelta(hours=2),
        place="Salle des fêtes",
        attendance=25,
        expected_attendance=30,
        state="transcribed",
    )
    db.session.add(workshop)
    db.session.commit()

    online = create_proposal(
        round_, author=alice, pillar=habitat, neighbourhood=centre, title="Des jardins partagés"
    )
    paper = create_proposal(
        round_, pillar=mobility, origin="workshop", workshop=workshop, title="Navette électrique"
    )
    blocked = create_proposal(round_, author=bob, pillar=mobility, title="Plus de vélos")
    pending = create_proposal(
        round_, author=alice, pillar=habitat, status="submitted", title="Idée en attente secrète"
    )
    hidden = create_proposal(
        round_,
        author=alice,
        pillar=habitat,
        title="Proposition masquée secrète",
        hidden_at=now,
        hidden_reason="hors charte",
    )

    add_support(online, carol)
    add_support(online, dave)
    add_support(hidden, carol)
    db.session.add_all(
        [
            PaperSupport(workshop=workshop, proposal=online, count=5, sheet_count=5),
            PaperSupport(workshop=workshop, proposal=paper, count=3, sheet_count=3),
        ]
    )
    online.paper_support_count = 5
    paper.paper_support_count = 3

    add_comment(online, "Bon commentaire public", author=dave)
    add_comment(online, "Commentaire masqué secret", author=dave, hidden_at=now)
    add_comment(online, "Commentaire supprimé secret", author=dave, deleted_at=now)
    add_comment(hidden, "Commentaire sur une proposition masquée", author=dave)
    add_comment(paper, "Commentaire écrit en atelier", origin="workshop", workshop_id=workshop.id)
    online.comment_count = 1
    paper.comment_count = 1
    db.session.commit()

    started = create_deliberation(
        habitat,
        number=1,
        title="Créer des jardins partagés",
        masterplan_status="in_progress",
        carrier="Association Les Jardins",
        held_on=date(2033, 1, 15),
    )
    done = create_deliberation(
        mobility, number=2, title="Navettes", masterplan_status="done", held_on=date(2033, 1, 15)
    )
    started.council_session.round = round_
    online.deliberation = started
    db.session.add(
        ProgressNote(
            action=started.action, noted_on=date(2033, 3, 1), body="Premier jardin ouvert",
            status="in_progress",
        )
    )  # fmt: skip
    db.session.commit()

    return RoundData(
        round=round_,
        pillars={"habitat": habitat, "mobility": mobility},
        neighbourhood=centre,
        proposals={
            "online": online,
            "paper": paper,
            "blocked": blocked,
            "pending": pending,
            "hidden": hidden,
        },
        workshop=workshop,
        deliberations={"started": started, "done": done},
        secrets=[
            "alice.secret@example.org",
            "bob.blocked@example.org",
            "carol.supporter@example.org",
            "dave.commenter@example.org",
            "Bob Bloqué",
            "Idée en attente secrète",
            "Proposition masquée secrète",
            "Commentaire masqué secret",
            "Commentaire supprimé secret",
            "Commentaire sur une proposition masquée",
            "hors charte",
        ],
    )
