import pytest

from participation.deliberations import promotion
from participation.errors import NotAllowed, ReasonRequired
from participation.extensions import db
from participation.models import AuditEntry, PaperSupport, ProposalStatus, Report, Support, utcnow
from participation.moderation import errors, queues, reports, rules, services

S = ProposalStatus


@pytest.fixture
def moderator(create_user):
    return create_user(role="moderator")


def add_support(proposal, user):
    db.session.add(
        Support(
            proposal_id=proposal.id, user_id=user.id if user else None, round_id=proposal.round_id
        )
    )
    proposal.support_count += 1
    db.session.commit()


def actions():
    return [e.action for e in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))]


def test_publish_writes_trail_audit_and_mail(create_proposal, moderator, outbox):
    proposal = create_proposal(status="submitted")
    services.publish(proposal, moderator)
    db.session.commit()
    assert proposal.status == "published"
    assert actions() == ["proposal.publish"]
    entry = db.session.scalar(db.select(AuditEntry))
    assert (entry.before, entry.after, entry.actor_id) == (
        {"status": "submitted"},
        {"status": "published"},
        moderator.id,
    )
    (message,) = outbox()
    assert message["To"] == proposal.author.email


def test_decide_and_correct_keep_both_reasons(create_proposal, moderator, outbox):
    proposal = create_proposal()
    services.decide(proposal, moderator, S.NOT_RETAINED, "Hors des compétences de la ville")
    services.decide(proposal, moderator, S.RETAINED, "Après réexamen : la ville peut agir")
    db.session.commit()
    notes = [e.note for e in proposal.events if e.kind == "status"]
    assert notes == ["Hors des compétences de la ville", "Après réexamen : la ville peut agir"]
    assert actions() == ["proposal.decide", "proposal.correct"]
    assert len(outbox()) == 2


def test_not_retained_needs_a_reason(create_proposal, moderator):
    with pytest.raises(ReasonRequired):
        services.decide(create_proposal(), moderator, S.NOT_RETAINED, "")


def test_moderators_do_not_moderate_their_own_content(create_proposal, moderator):
    proposal = create_proposal(author=moderator)
    with pytest.raises(errors.OwnContent):
        services.decide(proposal, moderator, S.RETAINED, "moi")
    with pytest.raises(errors.OwnContent):
        reports.hide(proposal, moderator, "moi")
    assert proposal.status == "published" and not proposal.is_hidden


def test_residents_cannot_use_moderation_services(create_proposal, create_user):
    resident = create_user()
    with pytest.raises(NotAllowed):
        services.publish(create_proposal(status="submitted"), resident)
    with pytest.raises(NotAllowed):
        reports.hide(create_proposal(), resident, "abus")


def test_no_mail_when_author_opted_out(create_proposal, create_user, moderator, outbox):
    author = create_user(notify_by_email=False)
    services.decide(create_proposal(author=author), moderator, S.RETAINED, None)
    db.session.commit()
    assert outbox() == []


def test_hide_and_restore_with_reasons(create_proposal, moderator):
    proposal = create_proposal()
    assert reports.hide(proposal, moderator, "Propos injurieux") is True
    assert proposal.is_hidden and proposal.hidden_reason == "Propos injurieux"
    with pytest.raises(errors.AlreadyHidden):
        reports.hide(proposal, moderator, "encore")
    with pytest.raises(ReasonRequired):
        reports.restore(proposal, moderator, "")
    assert reports.restore(proposal, moderator, "Erreur de signalement") is True
    db.session.commit()
    assert not proposal.is_hidden and proposal.status == "published"
    assert actions() == ["proposal.hide", "proposal.restore"]
    with pytest.raises(errors.NotHidden):
        reports.restore(proposal, moderator, "encore")


def test_what_the_reports_hid_a_moderator_hides_for_good_or_shows_again(
    create_proposal, create_comment, create_user, moderator, outbox
):
    from datetime import timedelta

    long_ago = utcnow() - timedelta(days=30)
    proposal = create_proposal()
    comment = create_comment(proposal)
    db.session.commit()
    for item in (comment, proposal):  # the comment first: a hidden proposal's are out of sight
        for _ in range(3):
            reports.report(item, create_user(email_confirmed_at=long_ago), "Propos injurieux.")
    db.session.commit()
    assert reports.HIDDEN_BY_REPORTS == proposal.hidden_reason == comment.hidden_reason
    assert rules.can_hide(moderator, proposal) and rules.can_restore(moderator, proposal)

    assert reports.hide(proposal, moderator, "Insultes avérées") is True
    assert reports.hide(comment, moderator, "Insultes avérées") is True
    db.session.commit()
    for item in (proposal, comment):
        assert item.is_hidden and item.hidden_reason == "Insultes avérées"
        assert not rules.can_hide(moderator, item) and rules.can_restore(moderator, item)
    # Their reports are closed: the queue no longer waits for a decision on them.
    assert queues.open_reports(queues.QueueFilters()).count == 0
    assert {r.resolution for r in db.session.scalars(db.select(Report))} == {"hidden"}
    assert actions() == ["proposal.hide", "comment.hide"]
    # The author learns why, as when a moderator hides it at once.
    assert [m["To"] for m in outbox()] == [proposal.author.email]


def test_merge_moves_supports_without_counting_anyone_twice(
    create_round, create_pillar, create_proposal, create_user, moderator, outbox
):
    round_ = create_round(pillars=[create_pillar()])
    kept = create_proposal(round=round_, title="Pistes cyclables")
    dup1 = create_proposal(round=round_, title="Plus de pistes cyclables")
    dup2 = create_proposal(round=round_, title="Des pistes vélo")
    both = create_user()  # supports kept and dup1
    all_three = create_user()
    only_dup1, only_dup2 = create_user(), create_user()
    add_support(kept, both)
    add_support(dup1, both)
    for p in (kept, dup1, dup2):
        add_support(p, all_three)
    add_support(dup1, only_dup1)
    add_support(dup2, only_dup2)
    add_support(dup2, None)  # an erased account's support
    services.merge(kept, [dup1, dup2], moderator, "Même idée")
    db.session.commit()
    rows = db.session.scalars(db.select(Support).where(Support.proposal_id == kept.id)).all()
    linked = [r.user_id for r in rows if r.user_id]
    assert sorted(linked) == sorted({both.id, all_three.id, only_dup1.id, only_dup2.id})
    assert len(rows) == 5  # four people once each, plus the anonymous support
    db.session.refresh(kept)
    assert kept.support_count == 5
    for dup in (dup1, dup2):
        db.session.refresh(dup)
        assert dup.status == "merged" and dup.merged_into_id == kept.id and dup.support_count == 0
    assert sorted(m["To"] for m in outbox()) == sorted([dup1.author.email, dup2.author.email])
    assert [e.kind for e in kept.events][-1] == "merged_in"


def test_merge_adds_up_paper_supports_per_workshop(create_proposal, moderator, create_user):
    from datetime import timedelta

    from participation.models import Workshop

    kept = create_proposal()
    dup = create_proposal(round=kept.round)
    workshop = Workshop(
        round=kept.round,
        title="Atelier",
        place="Salle",
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=2),
    )
    other = Workshop(
        round=kept.round,
        title="Atelier 2",
        place="Salle",
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=2),
    )
    db.session.add_all([workshop, other])
    db.session.flush()
    db.session.add_all(
        [
            PaperSupport(workshop_id=workshop.id, proposal_id=kept.id, count=4, sheet_count=4),
            PaperSupport(workshop_id=workshop.id, proposal_id=dup.id, count=3, sheet_count=3),
            PaperSupport(workshop_id=other.id, proposal_id=dup.id, count=2, sheet_count=2),
        ]
    )
    db.session.commit()
    services.merge(kept, [dup], moderator)
    db.session.commit()
    tallies = {t.workshop_id: t.count for t in db.session.scalars(db.select(PaperSupport))}
    assert tallies == {workshop.id: 7, other.id: 2}
    db.session.refresh(kept)
    assert kept.paper_support_count == 9


def test_merge_is_all_or_nothing(create_proposal, create_round, create_pillar, moderator):
    kept = create_proposal()
    fine = create_proposal(round=kept.round)
    elsewhere = create_proposal()  # another round
    with pytest.raises(errors.MergeNotPossible):
        services.merge(kept, [fine, elsewhere], moderator)
    db.session.rollback()
    db.session.refresh(fine)
    assert fine.status == "published" and fine.merged_into_id is None


def test_promote_retained_proposals_into_a_deliberation(create_proposal, moderator, outbox):
    from datetime import date

    first = create_proposal()
    second = create_proposal(round=first.round)
    for p in (first, second):
        services.decide(p, moderator, S.RETAINED, "Oui")
    session = promotion.create_council_session(
        moderator, date(2027, 3, 1), "Conseil municipal", first.round_id
    )
    number = promotion.next_deliberation_number(session.id)
    deliberation = promotion.promote(
        [first, second],
        moderator,
        promotion.DeliberationInput(session.id, number, first.pillar_id, "Un plan vélo", "Texte"),
    )
    db.session.commit()
    assert number == 1
    assert {p.status for p in deliberation.proposals} == {"promoted"}
    assert first.deliberation_id == deliberation.id
    with pytest.raises(promotion.PromotionNotPossible):
        promotion.promote(
            [create_proposal()],
            moderator,
            promotion.DeliberationInput(session.id, 2, first.pillar_id, "x"),
        )
    db.session.rollback()
    third = create_proposal(round=first.round)
    services.decide(third, moderator, S.RETAINED, None)
    with pytest.raises(promotion.NumberTaken):
        promotion.promote(
            [third],
            moderator,
            promotion.DeliberationInput(session.id, 1, first.pillar_id, "Doublon"),
        )


def test_block_and_unblock(create_user, moderator):
    resident = create_user()
    services.block(resident, moderator, "Spam répété")
    assert resident.is_blocked and resident.blocked_reason == "Spam répété"
    services.unblock(resident, moderator)
    assert not resident.is_blocked
    with pytest.raises(errors.BlockNotAllowed):
        services.block(create_user(role="moderator"), moderator, "non")
    with pytest.raises(errors.BlockNotAllowed):
        services.block(moderator, moderator, "moi")
    services.block(create_user(role="moderator"), create_user(role="admin"), "admin peut")


def test_audit_log_is_append_only(create_proposal, moderator):
    from participation.models.audit import AuditLogIsAppendOnly

    services.publish(create_proposal(status="submitted"), moderator)
    db.session.commit()
    entry = db.session.scalar(db.select(AuditEntry))
    entry.note = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.scalar(db.select(AuditEntry)))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_merge_never_gives_the_kept_proposals_author_a_support_of_their_own(
    create_proposal, create_user, moderator
):
    kept = create_proposal(title="Des bancs au parc")
    dup = create_proposal(round=kept.round, title="Plus de bancs au parc")
    neighbour = create_user()
    add_support(dup, kept.author)  # before the merge, a support of somebody else's proposal
    add_support(dup, neighbour)
    services.merge(kept, [dup], moderator, "Même idée")
    db.session.commit()
    rows = db.session.scalars(db.select(Support).where(Support.proposal_id == kept.id)).all()
    assert [(r.user_id, r.merged_from_id) for r in rows] == [(neighbour.id, dup.id)]
    db.session.refresh(kept)
    db.session.refresh(dup)
    assert (kept.support_count, dup.support_count) == (1, 0)
    # Their support of the duplicate does not stay behind on it either.
    assert db.session.scalar(db.select(db.func.count()).select_from(Support)) == 1
