"""Paper items typed in by facilitators: cards, card comments, sticker votes, attendance."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from participation.extensions import db
from participation.models import (
    Comment,
    PaperCorrection,
    PaperSupport,
    Proposal,
    ProposalStatus,
    Role,
    Support,
    utcnow,
)
from participation.proposals.supports import support
from participation.workshops import errors, paper


def card(round_, **fields):
    values = {
        "title": "Des bancs au parc",
        "body": "Installer des bancs ombragés au parc de la Loisne.",
        "pillar_id": round_.pillars[0].id,
    }
    values.update(fields)
    return paper.CardInput(**values)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def attended(workshop, facilitator, people=20):
    """The attendance is typed in first: sticker votes are checked against it."""
    paper.set_attendance(workshop, facilitator, people)
    return workshop


def corrections(workshop):
    return db.session.scalars(
        select(PaperCorrection)
        .where(PaperCorrection.workshop_id == workshop.id)
        .order_by(PaperCorrection.id)
    ).all()


# --- cards -------------------------------------------------------------------------------------


def test_card_becomes_an_anonymous_proposal_of_the_workshop(workshop, facilitator, round_):
    proposal = paper.add_paper_proposal(workshop, facilitator, card(round_))
    db.session.commit()
    assert proposal.origin == "workshop" and proposal.workshop_id == workshop.id
    assert proposal.author_id is None and proposal.entered_by_id == facilitator.id
    assert proposal.code == "P-1" and proposal.created_at is not None
    # Without pre-moderation it is published at once, through the state machine.
    assert proposal.status == ProposalStatus.PUBLISHED.value
    kinds = [(e.kind, e.actor_id) for e in proposal.events]
    assert kinds[0] == ("submitted", facilitator.id) and kinds[1][0] == "status"


def test_card_follows_pre_moderation(workshop, facilitator, round_, moderator):
    round_.premoderation = True
    db.session.commit()
    proposal = paper.add_paper_proposal(workshop, facilitator, card(round_))
    assert proposal.status == ProposalStatus.SUBMITTED.value and not proposal.is_visible
    from participation.moderation.services import publish

    publish(proposal, moderator)
    assert proposal.status == ProposalStatus.PUBLISHED.value


def test_first_paper_item_marks_a_planned_workshop_held(create_workshop, facilitator, round_):
    workshop = create_workshop(facilitators=[facilitator], state="planned")
    paper.add_paper_proposal(workshop, facilitator, card(round_))
    assert workshop.state == "held"


def test_cards_are_typed_in_as_soon_as_the_workshop_is_planned(
    create_workshop, facilitator, round_
):
    coming = create_workshop(facilitators=[facilitator], hours_ago=-24, state="planned")
    proposal = paper.add_paper_proposal(coming, facilitator, card(round_))
    assert proposal.workshop_id == coming.id
    # Prepared in advance: the workshop has not been held for all that.
    assert coming.state == "planned"


def test_nothing_is_typed_in_once_transcribed(create_workshop, facilitator, round_):
    done = create_workshop(facilitators=[facilitator], state="transcribed")
    with pytest.raises(errors.EntryClosed):
        paper.add_paper_proposal(done, facilitator, card(round_))
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACILITATOR])
def test_only_the_workshop_facilitators_moderators_and_admins_type_in(
    workshop, create_user, round_, role
):
    outsider = create_user(role=role)  # a resident, or a facilitator of other workshops
    with pytest.raises(errors.NotAllowed):
        paper.add_paper_proposal(workshop, outsider, card(round_))
    with pytest.raises(errors.NotAllowed):
        paper.set_attendance(workshop, outsider, 12)
    for manager in (create_user(role=Role.MODERATOR), create_user(role=Role.ADMIN)):
        assert paper.add_paper_proposal(
            workshop, manager, card(round_, title=f"Carte {manager.id}")
        )


def test_card_rules(workshop, facilitator, round_, create_pillar):
    with pytest.raises(errors.PaperInvalid) as caught:
        paper.add_paper_proposal(
            workshop, facilitator, card(round_, title="", body="x", pillar_id=create_pillar().id)
        )
    assert {column for _row, column, _message in caught.value.problems} == {
        "title",
        "body",
        "pillar_id",
    }


def test_card_as_a_paper_comment_counts_it(workshop, facilitator, round_, create_proposal):
    target = create_proposal(round=round_, comment_count=2)
    outcome = paper.enter_card(workshop, facilitator, card(round_), paper.Choice.COMMENT, target.id)
    db.session.commit()
    comment = outcome.comment
    assert comment.origin == "workshop" and comment.workshop_id == workshop.id
    assert comment.author_id is None and comment.entered_by_id == facilitator.id
    assert "<strong>Des bancs au parc</strong>" in comment.body_html
    db.session.expire_all()
    assert db.session.get(Proposal, target.id).comment_count == 3
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 1


def test_no_paper_comment_on_a_withdrawn_proposal(workshop, facilitator, round_, create_proposal):
    target = create_proposal(round=round_, status="withdrawn")
    with pytest.raises(errors.NotCommentable):
        paper.add_paper_comment(workshop, facilitator, target, "Un avis écrit sur une carte.")
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_check_step_shows_similar_proposals_before_creating(
    workshop, facilitator, round_, create_proposal
):
    existing = create_proposal(round=round_, title="Des bancs au parc de la Loisne")
    outcome = paper.enter_card(workshop, facilitator, card(round_), paper.Choice.CHECK)
    assert outcome.similar == [existing] and outcome.proposal is None
    outcome = paper.enter_card(workshop, facilitator, card(round_), paper.Choice.NEW)
    assert outcome.proposal.origin == "workshop"


def test_card_correction_keeps_the_old_text(workshop, facilitator, round_):
    proposal = paper.add_paper_proposal(workshop, facilitator, card(round_))
    other_pillar = round_.pillars[1]
    paper.correct_paper_proposal(
        workshop,
        facilitator,
        proposal,
        card(round_, title="Des bancs au parc Loisne", pillar_id=other_pillar.id),
    )
    db.session.commit()
    changes = {(c.field, c.old_value, c.new_value, c.changed_by_id) for c in corrections(workshop)}
    assert changes == {
        ("title", "Des bancs au parc", "Des bancs au parc Loisne", facilitator.id),
        ("pillar", round_.pillars[0].name_fr, other_pillar.name_fr, facilitator.id),
    }
    assert proposal.title == "Des bancs au parc Loisne" and proposal.pillar_id == other_pillar.id
    assert proposal.events[-1].kind == "corrected"
    assert proposal.events[-1].previous.startswith("Des bancs au parc\n\n")


def test_decided_card_cannot_be_corrected(workshop, facilitator, round_):
    proposal = paper.add_paper_proposal(workshop, facilitator, card(round_))
    proposal.status = ProposalStatus.RETAINED.value
    with pytest.raises(errors.WorkshopError):
        paper.correct_paper_proposal(workshop, facilitator, proposal, card(round_, title="Autre"))


# --- how long paper is typed in ------------------------------------------------------------------


@pytest.fixture
def ended_round(create_round, round_):
    """A round whose vote, and with it the workshops phase, ended five days ago."""
    now, day = utcnow(), timedelta(days=1)
    return create_round(
        pillars=round_.pillars,
        collect_starts_at=now - 60 * day,
        collect_ends_at=now - 30 * day,
        vote_starts_at=now - 30 * day,
        vote_ends_at=now - 5 * day,
        deliberation_ends_at=now + 30 * day,
    )


def test_paper_is_typed_in_within_the_grace_period_after_the_workshop(
    ended_round, create_workshop, facilitator
):
    recent = create_workshop(round=ended_round, facilitators=[facilitator], hours_ago=8 * 24)
    proposal = paper.add_paper_proposal(recent, facilitator, card(ended_round))
    assert proposal.round_id == ended_round.id and proposal.status == ProposalStatus.PUBLISHED
    paper.set_attendance(recent, facilitator, 12)

    older = create_workshop(round=ended_round, facilitators=[facilitator], hours_ago=20 * 24)
    with pytest.raises(errors.PaperClosed):
        paper.add_paper_proposal(older, facilitator, card(ended_round, title="Trop tard"))
    with pytest.raises(errors.PaperClosed):
        paper.set_attendance(older, facilitator, 12)
    # The round's grace period decides: without one, the recent workshop is closed too.
    ended_round.paper_grace_days = 0
    with pytest.raises(errors.PaperClosed):
        paper.add_paper_proposal(recent, facilitator, card(ended_round, title="Trop tard"))
    db.session.rollback()
    assert count(Proposal) == 1 and older.attendance is None


def test_moving_a_workshops_end_does_not_reopen_its_round(
    ended_round, create_workshop, facilitator
):
    ended_round.paper_grace_days = 3
    # Held before the end of the phase, but said to end tomorrow: its grace counts from the
    # end of the phase (two days ago), not from tomorrow.
    workshop = create_workshop(
        round=ended_round,
        facilitators=[facilitator],
        hours_ago=20 * 24,
        ends_at=utcnow() + timedelta(days=1),
    )
    with pytest.raises(errors.PaperClosed):
        paper.add_paper_proposal(workshop, facilitator, card(ended_round))


# --- sticker votes -----------------------------------------------------------------------------


def test_sticker_counts_by_code_are_kept_apart_from_online_supports(
    workshop, facilitator, round_, create_proposal, create_user
):
    proposal = create_proposal(round=round_)
    support(proposal, create_user())
    attended(workshop, facilitator)
    db.session.commit()
    paper.set_paper_supports(workshop, facilitator, "P-1", 27)
    db.session.commit()
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal.id)
    assert (proposal.support_count, proposal.paper_support_count) == (1, 27)
    assert db.session.scalar(select(func.count()).select_from(Support)) == 1
    tally = db.session.scalar(select(PaperSupport))
    assert (tally.workshop_id, tally.count, tally.entered_by_id) == (
        workshop.id,
        27,
        facilitator.id,
    )
    # Typing the same count again changes nothing and records no correction.
    paper.set_paper_supports(workshop, facilitator, "p1", 27)
    assert [c.item_type for c in corrections(workshop)] == ["attendance"]


@pytest.mark.parametrize("code", ["P-3", "p3", "P 3", "3", " P-3 "])
def test_codes_are_read_loosely(workshop, facilitator, round_, create_proposal, code):
    for _ in range(3):
        target = create_proposal(round=round_)
    attended(workshop, facilitator)
    assert paper.set_paper_supports(workshop, facilitator, code, 4).proposal_id == target.id


def test_correcting_a_count_keeps_the_previous_one_and_moves_the_total_by_the_difference(
    workshop, create_workshop, facilitator, moderator, round_, create_proposal
):
    proposal = create_proposal(round=round_)
    other = attended(
        create_workshop(facilitators=[facilitator], title="Autre atelier"), facilitator
    )
    attended(workshop, facilitator)
    paper.set_paper_supports(other, facilitator, proposal, 10)
    paper.set_paper_supports(workshop, facilitator, proposal, 27)
    paper.set_paper_supports(workshop, moderator, proposal, 21)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).paper_support_count == 31
    (entry,) = [c for c in corrections(workshop) if c.item_type == "paper_support"]
    assert (entry.field, entry.old_value, entry.new_value) == ("sheet_count", "27", "21")
    assert entry.changed_by_id == moderator.id and entry.changed_at is not None
    assert [c.item_type for c in corrections(other)] == ["attendance"]


def test_card_given_as_a_sticker_adds_one(workshop, facilitator, round_, create_proposal):
    target = create_proposal(round=round_)
    attended(workshop, facilitator)
    paper.set_paper_supports(workshop, facilitator, target, 4)
    outcome = paper.enter_card(workshop, facilitator, card(round_), paper.Choice.SUPPORT, target.id)
    db.session.commit()
    assert outcome.stickers == 5
    db.session.expire_all()
    assert db.session.get(Proposal, target.id).paper_support_count == 5
    assert [
        (c.field, c.old_value, c.new_value)
        for c in corrections(workshop)
        if c.item_type == "paper_support"
    ] == [("card_count", "0", "1")]


def test_the_cards_plus_ones_and_the_vote_sheet_add_up(
    workshop, facilitator, moderator, round_, create_proposal
):
    target = create_proposal(round=round_)
    attended(workshop, facilitator)
    paper.enter_card(workshop, facilitator, card(round_), paper.Choice.SUPPORT, target.id)
    paper.set_sticker_sheet(workshop, facilitator, [paper.StickerLine(1, target.code, "12")])
    db.session.commit()
    db.session.expire_all()
    tally = db.session.scalar(select(PaperSupport))
    assert (tally.card_count, tally.sheet_count, tally.count) == (1, 12, 13)
    assert db.session.get(Proposal, target.id).paper_support_count == 13

    # Correcting the sheet replaces the sheet's part only; the card's "+1" stays.
    paper.set_paper_supports(workshop, moderator, target, 10)
    db.session.commit()
    db.session.expire_all()
    tally = db.session.scalar(select(PaperSupport))
    assert (tally.card_count, tally.sheet_count, tally.count) == (1, 10, 11)
    assert db.session.get(Proposal, target.id).paper_support_count == 11
    last = corrections(workshop)[-1]
    assert (last.field, last.old_value, last.new_value, last.changed_by_id) == (
        "sheet_count",
        "12",
        "10",
        moderator.id,
    )


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"status": "submitted"}, errors.NotSupportable),
        ({"status": "withdrawn"}, errors.NotSupportable),
        ({"hidden_at": "now"}, errors.NotSupportable),
    ],
)
def test_only_public_proposals_receive_stickers(
    workshop, facilitator, round_, create_proposal, fields, error
):
    if fields.get("hidden_at") == "now":
        fields = {"hidden_at": utcnow()}
    proposal = create_proposal(round=round_, **fields)
    attended(workshop, facilitator)
    with pytest.raises(error):
        paper.set_paper_supports(workshop, facilitator, proposal.code, 3)
    assert db.session.scalar(select(func.count()).select_from(PaperSupport)) == 0


def test_codes_resolve_within_the_workshops_round_only(
    workshop, facilitator, create_proposal, create_round, round_
):
    create_proposal(round=create_round(pillars=[round_.pillars[0]]))  # P-1 of another round
    with pytest.raises(errors.UnknownCode):
        paper.set_paper_supports(workshop, facilitator, "P-1", 3)
    with pytest.raises(errors.UnknownCode):
        paper.set_paper_supports(workshop, facilitator, "douze", 3)


def test_merged_proposal_points_to_the_kept_one(workshop, facilitator, round_, create_proposal):
    kept = create_proposal(round=round_)
    merged = create_proposal(round=round_, status="merged", merged_into=kept)
    with pytest.raises(errors.MergedProposal, match="P-1"):
        paper.set_paper_supports(workshop, facilitator, merged.code, 3)


def test_vote_sheet_is_saved_whole_or_not_at_all(workshop, facilitator, round_, create_proposal):
    first, second = create_proposal(round=round_), create_proposal(round=round_)
    attended(workshop, facilitator)
    lines = [
        paper.StickerLine(1, "P-1", "12"),
        paper.StickerLine(2, "", ""),  # left empty: skipped
        paper.StickerLine(3, "P-2", "douze"),
        paper.StickerLine(4, "P-9", "3"),
        paper.StickerLine(5, "P-1", "4"),
        paper.StickerLine(6, "", "4"),
    ]
    with pytest.raises(errors.PaperInvalid) as caught:
        paper.set_sticker_sheet(workshop, facilitator, lines)
    assert [(row, column) for row, column, _message in caught.value.problems] == [
        (3, "count"),
        (4, "code"),
        (5, "code"),
        (6, "code"),
    ]
    assert db.session.scalar(select(func.count()).select_from(PaperSupport)) == 0
    saved = paper.set_sticker_sheet(
        workshop, facilitator, [paper.StickerLine(1, "P-1", "12"), paper.StickerLine(2, "2", "0")]
    )
    db.session.commit()
    assert [(p.code, count) for p, count in saved] == [("P-1", 12), ("P-2", 0)]
    db.session.expire_all()
    assert db.session.get(Proposal, first.id).paper_support_count == 12
    assert db.session.get(Proposal, second.id).paper_support_count == 0


# --- sticker votes are bounded by the attendance ------------------------------------------------


def test_sticker_votes_wait_for_the_attendance(workshop, facilitator, round_, create_proposal):
    target = create_proposal(round=round_)
    with pytest.raises(errors.AttendanceFirst):
        paper.set_paper_supports(workshop, facilitator, target, 3)
    with pytest.raises(errors.AttendanceFirst):
        paper.add_stickers(workshop, facilitator, target)
    with pytest.raises(errors.PaperInvalid):
        paper.set_sticker_sheet(workshop, facilitator, [paper.StickerLine(1, target.code, "3")])
    # An empty sheet changes nothing, attendance or not.
    assert paper.set_sticker_sheet(workshop, facilitator, [paper.StickerLine(1, "", "")]) == []
    assert count(PaperSupport) == 0


def test_5000_stickers_from_10_people_are_refused(
    english, workshop, facilitator, round_, create_proposal
):
    target = create_proposal(round=round_)
    attended(workshop, facilitator, 10)  # 10 participants × 5 stickers each
    with pytest.raises(errors.TooManyStickers) as caught:
        paper.set_paper_supports(workshop, facilitator, target, 5000)
    assert str(caught.value) == (
        "5000 sticker votes in all is more than this workshop can have given: "
        "10 participants × 5 stickers = 50."
    )
    with pytest.raises(errors.PaperInvalid) as caught:
        paper.set_sticker_sheet(workshop, facilitator, [paper.StickerLine(1, target.code, "5000")])
    assert [message for _row, _column, message in caught.value.problems] == [
        "5000 sticker votes in all is more than this workshop can have given: "
        "10 participants × 5 stickers = 50."
    ]
    assert count(PaperSupport) == 0
    db.session.expire_all()
    assert db.session.get(Proposal, target.id).paper_support_count == 0


def test_the_bound_counts_cards_and_sheet_across_proposals(
    workshop, facilitator, round_, create_proposal
):
    first, second = create_proposal(round=round_), create_proposal(round=round_)
    round_.stickers_per_person = 3
    attended(workshop, facilitator, 4)  # at most 12 stickers
    paper.add_stickers(workshop, facilitator, first)
    paper.set_sticker_sheet(
        workshop,
        facilitator,
        [paper.StickerLine(1, first.code, "6"), paper.StickerLine(2, second.code, "5")],
    )
    assert paper.sticker_total(workshop) == 12
    # Full: one more card "+1" or one more on the sheet is refused.
    with pytest.raises(errors.TooManyStickers):
        paper.add_stickers(workshop, facilitator, second)
    with pytest.raises(errors.TooManyStickers):
        paper.set_paper_supports(workshop, facilitator, second, 6)
    # Typing the sheet again replaces its part: the same counts still fit, fewer do too.
    paper.set_paper_supports(workshop, facilitator, first, 6)
    paper.set_paper_supports(workshop, facilitator, first, 2)
    paper.add_stickers(workshop, facilitator, second)
    db.session.commit()
    assert paper.sticker_total(workshop) == 9


def test_attendance_cannot_drop_below_the_stickers_counted(
    english, workshop, facilitator, round_, create_proposal
):
    attended(workshop, facilitator, 10)
    paper.set_paper_supports(workshop, facilitator, create_proposal(round=round_), 41)
    with pytest.raises(errors.AttendanceBelowStickers) as caught:
        paper.set_attendance(workshop, facilitator, 8)
    assert str(caught.value) == ("The sticker votes already counted need at least 9 participants.")
    assert caught.value.field == "attendance"
    paper.set_attendance(workshop, facilitator, 9)
    db.session.commit()
    assert workshop.attendance == 9


# --- attendance --------------------------------------------------------------------------------


def test_attendance_keeps_every_value_typed_in(workshop, facilitator, moderator):
    paper.set_attendance(workshop, facilitator, 23)
    paper.set_attendance(workshop, moderator, 25)
    paper.set_attendance(workshop, moderator, 25)
    db.session.commit()
    assert workshop.attendance == 25
    assert [
        (c.item_type, c.old_value, c.new_value, c.changed_by_id) for c in corrections(workshop)
    ] == [("attendance", None, "23", facilitator.id), ("attendance", "23", "25", moderator.id)]
    with pytest.raises(errors.WorkshopError):
        paper.set_attendance(workshop, facilitator, -1)
