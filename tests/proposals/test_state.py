"""The whole transition table: each allowed and each refused transition, by role."""

import itertools

import pytest

from participation.errors import ReasonRequired
from participation.models import ProposalStatus, Role
from participation.proposals import errors, state

S = ProposalStatus


@pytest.fixture
def people(create_user):
    return {
        "author": None,  # filled per proposal
        "resident": create_user(role=Role.RESIDENT),
        "facilitator": create_user(role=Role.FACILITATOR),
        "moderator": create_user(role=Role.MODERATOR),
        "admin": create_user(role=Role.ADMIN),
    }


EXPECTED = {
    (S.SUBMITTED, S.PUBLISHED): {"moderator", "admin"},
    (S.SUBMITTED, S.WITHDRAWN): {"author"},
    (S.SUBMITTED, S.NOT_RETAINED): {"moderator", "admin"},
    (S.PUBLISHED, S.WITHDRAWN): {"author"},
    (S.PUBLISHED, S.NOT_RETAINED): {"moderator", "admin"},
    (S.PUBLISHED, S.RETAINED): {"moderator", "admin"},
    (S.PUBLISHED, S.MERGED): {"moderator", "admin"},
    (S.PUBLISHED, S.UNDER_STUDY): {"moderator", "admin"},
    (S.UNDER_STUDY, S.RETAINED): {"moderator", "admin"},
    (S.UNDER_STUDY, S.NOT_RETAINED): {"moderator", "admin"},
    (S.UNDER_STUDY, S.MERGED): {"moderator", "admin"},
    (S.RETAINED, S.PROMOTED): {"moderator", "admin"},
    (S.RETAINED, S.NOT_RETAINED): {"moderator", "admin"},
    (S.NOT_RETAINED, S.RETAINED): {"moderator", "admin"},
}


def test_table_is_exactly_the_documented_one():
    assert set(state.TRANSITIONS) == set(EXPECTED)


@pytest.mark.parametrize("source,target", list(itertools.product(S, S)))
def test_each_transition_by_each_role(create_proposal, people, source, target):
    extra = {}
    if source is S.MERGED:
        extra["merged_into"] = create_proposal()
    proposal = create_proposal(status=source.value, **extra)
    cast = dict(people, author=proposal.author)
    for name, user in cast.items():
        allowed = can = state.can_transition(proposal, target, user)
        assert can == (name in EXPECTED.get((source, target), set())), (source, target, name)
        if not allowed:
            with pytest.raises(errors.TransitionNotAllowed):
                state.transition(proposal, target, user, "une raison")
    assert not state.can_transition(proposal, target, None)


def test_transition_records_a_dated_public_trail_entry(create_proposal, people):
    proposal = create_proposal()
    event = state.transition(proposal, S.NOT_RETAINED, people["moderator"], "Hors compétence")
    assert proposal.status == "not_retained"
    assert proposal.decision_reason == "Hors compétence"
    assert (event.from_status, event.to_status, event.is_public) == (
        "published",
        "not_retained",
        True,
    )
    assert event.actor_id == people["moderator"].id and event.created_at is not None
    assert proposal.locked_at is not None


def test_reason_is_required_where_the_table_says_so(create_proposal, people):
    proposal = create_proposal()
    with pytest.raises(ReasonRequired):
        state.transition(proposal, S.NOT_RETAINED, people["moderator"], "  ")
    assert proposal.status == "published"
    with pytest.raises(ReasonRequired):
        state.transition(proposal, S.WITHDRAWN, proposal.author, "")


def test_correcting_a_decision_keeps_both_reasons(create_proposal, people):
    proposal = create_proposal()
    state.transition(proposal, S.RETAINED, people["moderator"], "Bonne idée")
    state.transition(proposal, S.NOT_RETAINED, people["admin"], "Finalement déjà réalisé")
    notes = [e.note for e in proposal.events if e.kind == "status"]
    assert notes == ["Bonne idée", "Finalement déjà réalisé"]


def test_moderator_cannot_moderate_own_proposal(create_proposal, people):
    proposal = create_proposal(author=people["moderator"])
    assert not state.can_transition(proposal, S.RETAINED, people["moderator"])
    assert state.can_transition(proposal, S.RETAINED, people["admin"])


def test_buttons_offer_only_plain_transitions(create_proposal, people):
    proposal = create_proposal(status="published")
    targets = state.allowed_targets(proposal, people["moderator"])
    assert set(targets) == {S.NOT_RETAINED, S.RETAINED, S.UNDER_STUDY}
    assert state.allowed_targets(proposal, proposal.author) == [S.WITHDRAWN]
    assert state.allowed_targets(proposal, people["resident"]) == []


def test_system_may_only_publish(create_proposal):
    proposal = create_proposal(status="submitted")
    assert not state.can_transition(proposal, S.RETAINED, None, system=True)
    state.transition(proposal, S.PUBLISHED, None, system=True)
    assert proposal.status == "published" and proposal.published_at is not None


def test_every_transition_is_in_the_audit_log_even_the_authors(create_proposal):
    from participation.extensions import db
    from participation.models import AuditEntry

    proposal = create_proposal(status="submitted")
    state.transition(proposal, S.PUBLISHED, None, system=True)
    state.transition(proposal, S.WITHDRAWN, proposal.author, "Je préfère retirer")
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id, e.before, e.after) for e in entries] == [
        ("proposal.published", None, {"status": "submitted"}, {"status": "published"}),
        (
            "proposal.withdrawn",
            proposal.author_id,
            {"status": "published"},
            {"status": "withdrawn"},
        ),
    ]


def test_under_study_needs_a_public_note_and_keeps_supports_and_comments_open(
    create_proposal, people
):
    proposal = create_proposal()
    with pytest.raises(ReasonRequired):
        state.transition(proposal, S.UNDER_STUDY, people["moderator"], " ")
    state.transition(proposal, S.UNDER_STUDY, people["moderator"], "Étude de faisabilité")
    assert proposal.decision_reason == "Étude de faisabilité"
    assert proposal.is_visible
    for what in (state.Allows.SUPPORT, state.Allows.COMMENT, state.Allows.STICKERS):
        assert state.allows(proposal.status, what)
    # The text is frozen while it is studied.
    assert not state.allows(proposal.status, state.Allows.EDIT)
    assert S.UNDER_STUDY in state.PUBLIC_STATUSES
    assert set(state.allowed_targets(proposal, people["moderator"])) == {
        S.RETAINED,
        S.NOT_RETAINED,
    }
