"""A blocked account loses every power beyond reading, whatever its role: a blocked moderator (or
administrator) can no longer hide, decide, merge, block or even open the moderation pages."""

from datetime import date
from html import unescape

import pytest

from participation.deliberations import promotion
from participation.errors import AccountBlocked
from participation.extensions import db
from participation.masterplan import tracking
from participation.models import (
    AuditEntry,
    MasterplanStatus,
    Proposal,
    ProposalStatus,
    Report,
    utcnow,
)
from participation.moderation import reports, services

from .conftest import moderation_routes

EN = {"Accept-Language": "en"}
BLOCKED = "Your account is blocked: you can read, but not post."


@pytest.fixture(params=["moderator", "admin"])
def blocked(request, create_user):
    return create_user(role=request.param, blocked_at=utcnow(), blocked_reason="Abus de pouvoir")


def audit_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(AuditEntry))


def test_every_moderation_page_and_action_is_refused(
    app, client, sign_in, blocked, targets, create_user, create_proposal
):
    proposal = db.session.get(Proposal, targets["proposal_id"])
    other = create_proposal(round=proposal.round, title="Une proposition en double")
    db.session.add(Report(reporter_id=create_user().id, proposal_id=proposal.id, reason="Insultes"))
    db.session.commit()
    # What a moderator's requests would carry, so that only the block refuses them.
    data = {
        "hide-reason": "Propos injurieux",
        "decision-target": "retained",
        "decision-reason": "Une bonne idée",
        "change-reason": "Hors sujet",
        "reason": "Spam",
        "action": "retained",
        "proposal_ids": [str(proposal.id)],
        "ids": [str(proposal.id), str(other.id)],
        "kept": str(proposal.id),
        "items": [f"proposal:{proposal.id}"],
        "proposal_id": str(proposal.id),
    }
    sign_in(blocked)
    routes = list(moderation_routes(app, targets))
    assert len(routes) >= 12
    for method, url in routes:
        response = client.open(url, method=method, data=data, headers=EN)
        assert response.status_code == 403, (method, url)
        assert BLOCKED in unescape(response.text), (method, url)
    db.session.expire_all()
    assert audit_count() == 0
    assert (proposal.status, proposal.is_hidden, other.status) == ("published", False, "published")
    assert db.session.scalar(db.select(Report)).resolved_at is None
    # Nothing on the public pages offers moderation to them either.
    page = client.get(f"/rounds/{proposal.round.slug}/proposals/{proposal.number}", headers=EN)
    assert 'href="/moderation/' not in page.text
    # Unblocked, the same account opens the same pages again: the block alone refused them.
    blocked.blocked_at = None
    db.session.commit()
    assert client.get("/moderation/").status_code == 200
    assert client.get(f"/moderation/proposals/{proposal.id}").status_code == 200


@pytest.fixture
def work(
    create_proposal, create_user, create_deliberation, create_round, create_pillar, propose_change
):
    """One piece of each kind of work a moderator does."""
    pillar = create_pillar()
    round_ = create_round(pillars=[pillar], premoderation=True)
    made = {
        "submitted": create_proposal(round=round_, status="submitted"),
        "published": create_proposal(round=round_),
        "duplicate": create_proposal(round=round_),
        "hidden": create_proposal(round=round_, hidden_at=utcnow(), hidden_reason="Injures"),
        "retained": create_proposal(round=round_, status="retained"),
        "changed": create_proposal(round=round_),
        "resident": create_user(),
        "blocked_resident": create_user(blocked_at=utcnow(), blocked_reason="Spam"),
        "deliberation": create_deliberation(pillar=pillar),
    }
    db.session.add(
        Report(reporter_id=create_user().id, proposal_id=made["published"].id, reason="Insultes")
    )
    propose_change(made["changed"], "Un titre revu", "Un texte revu")
    db.session.commit()
    return made


def test_every_moderation_service_refuses(blocked, work):
    session_id = work["deliberation"].council_session_id
    actions = {
        "publish": lambda a: services.publish(work["submitted"], a),
        "decide": lambda a: services.decide(work["published"], a, ProposalStatus.RETAINED, "Oui"),
        "bulk": lambda a: services.act_on_all([work["submitted"]], a, "publish", None),
        "accept change": lambda a: services.accept_change(work["changed"], a),
        "refuse change": lambda a: services.refuse_change(work["changed"], a, "Non"),
        "merge": lambda a: services.merge(work["published"], [work["duplicate"]], a, "Doublon"),
        "block": lambda a: services.block(work["resident"], a, "Spam"),
        "unblock": lambda a: services.unblock(work["blocked_resident"], a),
        "hide": lambda a: reports.hide(work["published"], a, "Injures"),
        "restore": lambda a: reports.restore(work["hidden"], a, "Erreur"),
        "dismiss": lambda a: reports.dismiss_reports(work["published"], a),
        "council session": lambda a: promotion.create_council_session(
            a, date(2027, 3, 1), "Conseil municipal", None
        ),
        "promote": lambda a: promotion.promote(
            [work["retained"]],
            a,
            promotion.DeliberationInput(session_id, 999, work["retained"].pillar_id, "Action"),
        ),
        "tracking": lambda a: tracking.update_tracking(
            work["deliberation"].action,
            a,
            tracking.TrackingInput(MasterplanStatus.DONE, work["deliberation"].action.carrier_id),
        ),
        "note": lambda a: tracking.add_progress_note(
            work["deliberation"].action, a, date(2027, 3, 1), "Fini"
        ),
    }
    for action in actions.values():
        with pytest.raises(AccountBlocked):
            action(blocked)
        db.session.rollback()
    assert audit_count() == 0
    assert [work[k].status for k in ("submitted", "published", "duplicate", "retained")] == [
        "submitted",
        "published",
        "published",
        "retained",
    ]
    assert work["hidden"].is_hidden and work["changed"].revision is not None
    assert not work["resident"].is_blocked and work["blocked_resident"].is_blocked
    assert work["deliberation"].action.status == "project"
    # The control: unblocked, the same account may do the same work.
    blocked.blocked_at = None
    db.session.commit()
    for name in ("publish", "hide", "accept change", "tracking"):
        actions[name](blocked)
    db.session.commit()
    assert audit_count() == 4
