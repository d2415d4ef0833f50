"""Factories for what a resident leaves behind: supports, comments, reports, trail lines."""

import itertools

import pytest
from sqlalchemy import update

from participation.extensions import db
from participation.models import Comment, Proposal, ProposalEvent, Support, utcnow


@pytest.fixture
def create_support(app):
    """An online support, with the proposal's counter kept in step (as the service does)."""

    def factory(proposal: Proposal, user) -> Support:
        support = Support(proposal_id=proposal.id, user_id=user.id, round_id=proposal.round_id)
        db.session.add(support)
        db.session.execute(
            update(Proposal)
            .where(Proposal.id == proposal.id)
            .values(support_count=Proposal.support_count + 1)
        )
        db.session.commit()
        return support

    return factory


@pytest.fixture
def create_event(app):
    """A line of a proposal's trail."""

    def factory(proposal: Proposal, kind: str = "status", actor=None, **fields):
        event = ProposalEvent(
            proposal_id=proposal.id,
            actor_id=actor.id if actor is not None else None,
            kind=kind,
            created_at=fields.pop("created_at", utcnow()),
            **fields,
        )
        db.session.add(event)
        db.session.commit()
        return event

    return factory


@pytest.fixture
def fill_participation(app, create_round, create_pillar, create_user):
    """Give ``user`` ``n`` proposals (each with a trail), ``n`` supports and ``n`` comments.

    Each list spreads its items over its own rounds (up to 25), so that a missing eager load
    shows as extra queries instead of being hidden by objects another list already loaded.
    """
    pillar = create_pillar()
    pools: dict[str, list] = {"mine": [], "supported": [], "commented": []}
    numbers = itertools.count(1)

    def fill(user, n: int):
        for rounds in pools.values():
            while len(rounds) < min(n, 25):
                rounds.append(create_round(pillars=[pillar]))
        other = create_user()

        def proposal(i, author, title, pool):
            rounds = pools[pool]
            round_ = rounds[i % len(rounds)]
            return Proposal(
                round_id=round_.id,
                number=next(numbers),
                pillar_id=pillar.id,
                author_id=author.id,
                title=title,
                body="Texte.",
                body_html="<p>Texte.</p>",
                status="published",
                published_at=utcnow(),
            )

        mine = [proposal(i, user, f"Ma proposition {i}", "mine") for i in range(n)]
        supported = [proposal(i, other, f"Proposition soutenue {i}", "supported") for i in range(n)]
        commented = [
            proposal(i, other, f"Proposition commentée {i}", "commented") for i in range(n)
        ]
        db.session.add_all(mine + supported + commented)
        db.session.flush()
        for item in mine:
            db.session.add(ProposalEvent(proposal_id=item.id, kind="submitted", actor_id=user.id))
            db.session.add(
                ProposalEvent(
                    proposal_id=item.id,
                    kind="status",
                    from_status="submitted",
                    to_status="published",
                )
            )
        for item in supported:
            db.session.add(Support(proposal_id=item.id, user_id=user.id, round_id=item.round_id))
            item.support_count = 1
        for item in commented:
            db.session.add(
                Comment(
                    proposal_id=item.id,
                    author_id=user.id,
                    body=f"Mon avis {item.number}",
                    body_html="<p>avis</p>",
                )
            )
        db.session.commit()

    return fill
