from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, update

from participation import errors as core_errors
from participation.comments import errors, services
from participation.comments.services import (
    add_comment,
    comment_page,
    comment_thread,
    delete_comment,
    edit_comment,
)
from participation.extensions import db
from participation.models import Comment, Proposal, ProposalEvent, Report, utcnow
from participation.moderation import errors as moderation_errors
from participation.moderation.reports import hide, report, restore

REASON = "Propos injurieux envers un voisin."


def visible_count(proposal) -> int:
    """What ``comment_count`` must say: comments neither deleted nor hidden."""
    return db.session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(
            Comment.proposal_id == proposal.id,
            Comment.deleted_at.is_(None),
            Comment.hidden_at.is_(None),
        )
    )


# --- posting ---------------------------------------------------------------------------------


def test_resident_comments_and_the_counter_follows(proposal, resident, fetch):
    comment = add_comment(proposal, resident, "  **Oui**, et des bancs <script>x</script>  ")
    db.session.commit()
    assert comment.body == "**Oui**, et des bancs <script>x</script>"
    assert "<strong>Oui</strong>" in comment.body_html and "<script>" not in comment.body_html
    assert comment.author_id == resident.id and comment.origin == "online"
    assert fetch(Proposal, proposal.id).comment_count == 1


def test_reply_counts_on_the_parent_and_the_proposal(proposal, resident, create_comment, fetch):
    top = create_comment(proposal)
    reply = add_comment(proposal, resident, "Bonne idée.", parent=top)
    db.session.commit()
    assert reply.parent_id == top.id
    assert fetch(Comment, top.id).reply_count == 1
    assert fetch(Proposal, proposal.id).comment_count == 2


def test_one_level_of_replies_a_reply_to_a_reply_joins_the_top_comment(
    proposal, resident, create_comment, fetch
):
    top = create_comment(proposal)
    reply = create_comment(proposal, parent=top)
    answer = add_comment(proposal, resident, "Je réponds à la réponse.", parent=reply)
    db.session.commit()
    assert answer.parent_id == top.id
    assert fetch(Comment, top.id).reply_count == 2
    assert fetch(Comment, reply.id).reply_count == 0


def test_reply_to_a_comment_of_another_proposal_is_refused(
    proposal, create_proposal, resident, create_comment
):
    elsewhere = create_comment(create_proposal(round=proposal.round))
    with pytest.raises(core_errors.NotAllowed):
        add_comment(proposal, resident, "Ailleurs.", parent=elsewhere)


def test_reply_to_a_deleted_or_hidden_comment_is_refused(proposal, resident, create_comment):
    deleted = create_comment(proposal, deleted_at=utcnow())
    hidden = create_comment(proposal, hidden_at=utcnow())
    with pytest.raises(errors.CommentDeleted):
        add_comment(proposal, resident, "Réponse.", parent=deleted)
    with pytest.raises(errors.CommentHidden):
        add_comment(proposal, resident, "Réponse.", parent=hidden)


@pytest.mark.parametrize("body", ["", "  x  ", "x" * 3001])
def test_comment_length_is_checked_after_stripping(proposal, resident, body):
    with pytest.raises(errors.CommentLength) as refused:
        add_comment(proposal, resident, body)
    with force_locale("en"):
        assert "between 2 and 3,000 characters" in str(refused.value.text)
    assert visible_count(proposal) == 0


@pytest.mark.parametrize("body", ["ok", "x" * 3000])
def test_comment_length_limits_are_inclusive(proposal, resident, body):
    assert add_comment(proposal, resident, body).body == body


def test_blocked_unconfirmed_and_anonymous_cannot_comment(proposal, create_user):
    with pytest.raises(core_errors.AccountBlocked):
        add_comment(proposal, create_user(blocked_at=utcnow()), "Bonjour.")
    with pytest.raises(core_errors.EmailNotConfirmed):
        add_comment(proposal, create_user(confirmed=False), "Bonjour.")
    with pytest.raises(core_errors.SignInRequired):
        add_comment(proposal, None, "Bonjour.")
    assert visible_count(proposal) == 0


@pytest.mark.parametrize("phase", ["upcoming", "closed"])
def test_comments_refused_outside_the_round(create_round, create_proposal, resident, phase):
    proposal = create_proposal(round=create_round(phase=phase))
    with pytest.raises(core_errors.PhaseClosed):
        add_comment(proposal, resident, "Trop tard.")


@pytest.mark.parametrize("phase", ["voting", "deliberation"])
def test_comments_stay_open_while_voting_and_deliberating(
    create_round, create_proposal, resident, phase
):
    proposal = create_proposal(round=create_round(phase=phase))
    assert add_comment(proposal, resident, "Toujours ouvert.").id


@pytest.mark.parametrize("status", ["retained", "not_retained", "promoted"])
def test_decided_proposals_still_accept_comments(create_proposal, resident, status):
    assert add_comment(create_proposal(status=status), resident, "Bien vu.").id


@pytest.mark.parametrize("status", ["submitted", "withdrawn"])
def test_unpublished_or_withdrawn_proposals_refuse_comments(create_proposal, resident, status):
    closed = create_proposal(status=status)
    # Its author sees it, and is told that it takes no comments.
    with pytest.raises(errors.CommentsClosed):
        add_comment(closed, closed.author, "Bonjour.")
    if status == "withdrawn":
        with pytest.raises(errors.CommentsClosed):
            add_comment(closed, resident, "Bonjour.")
    else:
        # Others do not even see a proposal awaiting moderation.
        with pytest.raises(core_errors.NotFound):
            add_comment(closed, resident, "Bonjour.")
    assert visible_count(closed) == 0


def test_merged_and_hidden_proposals_refuse_comments(create_proposal, proposal, resident):
    merged = create_proposal(round=proposal.round, status="merged", merged_into_id=proposal.id)
    hidden = create_proposal(round=proposal.round, hidden_at=utcnow())
    for closed, author in ((merged, resident), (hidden, hidden.author)):
        with pytest.raises(errors.CommentsClosed):
            add_comment(closed, author, "Bonjour.")
    # A hidden proposal is not found by anyone but its author and the moderators.
    with pytest.raises(core_errors.NotFound):
        add_comment(hidden, resident, "Bonjour.")


# --- editing ---------------------------------------------------------------------------------


def test_author_edits_within_the_window(proposal, resident, create_comment):
    comment = create_comment(proposal, resident, minutes_ago=14)
    edit_comment(comment, resident, " *Corrigé* ")
    db.session.commit()
    assert comment.body == "*Corrigé*" and "<em>Corrigé</em>" in comment.body_html
    assert comment.edited_at is not None


def test_edit_refused_after_the_window(proposal, resident, create_comment):
    comment = create_comment(proposal, resident, minutes_ago=16)
    with pytest.raises(errors.EditWindowOver) as refused:
        edit_comment(comment, resident, "Trop tard.")
    assert "15 minutes" in str(refused.value)
    assert comment.edited_at is None


def test_edit_window_is_configurable(app, proposal, resident, create_comment):
    app.config["COMMENT_EDIT_MINUTES"] = 30
    comment = create_comment(proposal, resident, minutes_ago=20)
    edit_comment(comment, resident, "Après.")
    assert comment.body == "Après."
    app.config["COMMENT_EDIT_MINUTES"] = 10
    with pytest.raises(errors.EditWindowOver) as refused:
        edit_comment(comment, resident, "Encore.")
    assert "10 minutes" in str(refused.value)


def test_only_the_author_edits(proposal, resident, create_user, create_comment):
    comment = create_comment(proposal, resident)
    with pytest.raises(core_errors.NotAllowed):
        edit_comment(comment, create_user(), "Pas à moi.")


def test_blocked_author_cannot_edit(proposal, create_user, create_comment):
    author = create_user()
    comment = create_comment(proposal, author)
    author.blocked_at = utcnow()
    with pytest.raises(core_errors.AccountBlocked):
        edit_comment(comment, author, "Modifié.")


def test_edit_checks_the_length(proposal, resident, create_comment):
    comment = create_comment(proposal, resident)
    with pytest.raises(errors.CommentLength):
        edit_comment(comment, resident, " ")


# --- deleting --------------------------------------------------------------------------------


def test_delete_without_replies_removes_the_row(proposal, resident, create_comment, fetch):
    comment = create_comment(proposal, resident)
    create_comment(proposal)
    assert delete_comment(comment, resident) is True
    db.session.commit()
    assert fetch(Comment, comment.id) is None
    assert fetch(Proposal, proposal.id).comment_count == 1 == visible_count(proposal)


def test_delete_with_replies_leaves_comment_deleted(
    proposal, resident, create_comment, fetch, create_user
):
    comment = create_comment(proposal, resident, body="Texte à effacer")
    reply = create_comment(proposal, parent=comment)
    assert delete_comment(comment, resident) is False
    db.session.commit()
    kept = fetch(Comment, comment.id)
    assert kept.is_deleted and kept.body == "" and kept.body_html == ""
    assert fetch(Comment, reply.id) is not None
    assert fetch(Proposal, proposal.id).comment_count == 1 == visible_count(proposal)
    thread = comment_thread(proposal, 1, create_user())
    assert [c.id for c in thread.comments] == [comment.id]
    assert [r.id for r in thread.replies(thread.comments[0])] == [reply.id]


def test_deleted_comment_disappears_with_its_last_reply(proposal, resident, create_comment):
    comment = create_comment(proposal, resident)
    reply = create_comment(proposal, parent=comment)
    delete_comment(comment, resident)
    assert len(comment_thread(proposal, 1, None).comments) == 1
    delete_comment(reply, reply.author)
    db.session.commit()
    assert comment_thread(proposal, 1, None).comments == []
    assert visible_count(proposal) == 0 == proposal.comment_count


def test_delete_a_reply_updates_both_counters(proposal, create_comment, fetch):
    top = create_comment(proposal)
    reply = create_comment(proposal, parent=top)
    delete_comment(reply, reply.author)
    db.session.commit()
    assert fetch(Comment, top.id).reply_count == 0
    assert fetch(Proposal, proposal.id).comment_count == 1


def test_only_the_author_deletes_and_never_twice(proposal, resident, create_user, create_comment):
    comment = create_comment(proposal, resident)
    create_comment(proposal, parent=comment)
    with pytest.raises(core_errors.NotAllowed):
        delete_comment(comment, create_user())
    delete_comment(comment, resident)
    with pytest.raises(errors.CommentDeleted):
        delete_comment(comment, resident)


def test_a_blocked_author_may_still_delete(proposal, create_user, create_comment):
    author = create_user(blocked_at=utcnow())
    comment = create_comment(proposal, author)
    assert delete_comment(comment, author) is True


def test_a_hidden_comment_waits_for_a_moderator(proposal, resident, create_comment):
    comment = create_comment(proposal, resident, hidden_at=utcnow())
    with pytest.raises(errors.CommentHidden):
        delete_comment(comment, resident)


def test_counters_stay_exact_through_a_discussion(proposal, create_user, fetch):
    people = [create_user() for _ in range(3)]
    first = add_comment(proposal, people[0], "Premier.")
    second = add_comment(proposal, people[1], "Deuxième.")
    replies = [
        add_comment(proposal, p, f"Réponse {i}.", parent=first) for i, p in enumerate(people)
    ]
    delete_comment(replies[1], people[1])
    delete_comment(first, people[0])
    delete_comment(second, people[1])
    db.session.commit()
    assert fetch(Proposal, proposal.id).comment_count == visible_count(proposal) == 2
    assert fetch(Comment, first.id).reply_count == 2


# --- reporting and hiding --------------------------------------------------------------------


def test_report_a_comment_and_a_proposal(proposal, resident, create_comment):
    comment = create_comment(proposal)
    on_comment = report(comment, resident, f"  {REASON}  ")
    on_proposal = report(proposal, resident, REASON)
    db.session.commit()
    assert (on_comment.comment_id, on_comment.proposal_id, on_comment.reason) == (
        comment.id,
        None,
        REASON,
    )
    assert (on_proposal.proposal_id, on_proposal.comment_id) == (proposal.id, None)


def test_second_report_by_the_same_person_is_refused_clearly(proposal, resident, create_comment):
    comment = create_comment(proposal)
    report(comment, resident, REASON)
    with pytest.raises(moderation_errors.AlreadyReported) as refused:
        report(comment, resident, "Une autre raison.")
    with force_locale("en"):
        assert "already reported" in str(refused.value.text)
    # The savepoint kept the first report and the transaction usable.
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1
    report(proposal, resident, REASON)
    with pytest.raises(moderation_errors.AlreadyReported):
        report(proposal, resident, REASON)


def test_own_items_are_not_reportable(proposal, create_comment):
    mine = create_comment(proposal, proposal.author)
    for item in (mine, proposal):
        with pytest.raises(moderation_errors.OwnContribution):
            report(item, proposal.author, REASON)


@pytest.mark.parametrize("reason", ["", "abcd", "x" * 1001])
def test_report_reason_length(proposal, resident, reason):
    with pytest.raises(moderation_errors.ReasonLength):
        report(proposal, resident, reason)


def test_blocked_cannot_report_and_deleted_comments_cannot_be_reported(
    proposal, create_user, create_comment
):
    with pytest.raises(core_errors.AccountBlocked):
        report(proposal, create_user(blocked_at=utcnow()), REASON)
    deleted = create_comment(proposal, deleted_at=utcnow())
    with pytest.raises(errors.CommentDeleted):
        report(deleted, create_user(), REASON)


def test_comment_hides_itself_at_the_threshold(proposal, create_reporter, create_comment, fetch):
    top = create_comment(proposal)
    reply = create_comment(proposal, parent=top)
    for _ in range(2):
        report(reply, create_reporter(), REASON)
    db.session.commit()
    assert fetch(Comment, reply.id).hidden_at is None
    report(reply, create_reporter(), REASON)
    db.session.commit()
    hidden = fetch(Comment, reply.id)
    assert hidden.hidden_at is not None and hidden.hidden_reason == "reported"
    assert fetch(Comment, top.id).reply_count == 0
    assert fetch(Proposal, proposal.id).comment_count == 1 == visible_count(proposal)


def test_proposal_hides_itself_at_the_threshold(proposal, create_reporter, fetch):
    for _ in range(3):
        report(proposal, create_reporter(), REASON)
    db.session.commit()
    hidden = fetch(Proposal, proposal.id)
    assert hidden.is_hidden and hidden.hidden_reason == "reported" and not hidden.is_visible
    event = db.session.scalar(select(ProposalEvent).where(ProposalEvent.kind == "hidden"))
    assert event.proposal_id == proposal.id and event.is_public is False


def test_threshold_of_one_hides_at_the_first_report(app, proposal, create_reporter):
    app.config["REPORT_HIDE_THRESHOLD"] = 1
    report(proposal, create_reporter(), REASON)
    assert proposal.is_hidden


def test_reports_of_new_accounts_reach_the_moderators_but_hide_nothing(
    app, proposal, create_user, create_reporter, moderator, fetch
):
    """Three accounts opened (and confirmed) today cannot hide a proposal they dislike."""
    assert app.config["REPORT_ACCOUNT_MIN_DAYS"] == 3
    days = timedelta(days=1)
    for confirmed in (utcnow(), utcnow() - 2 * days, utcnow() - 2 * days):
        report(proposal, create_user(email_confirmed_at=confirmed), REASON)
    db.session.commit()
    assert not fetch(Proposal, proposal.id).is_hidden
    assert db.session.scalar(select(func.count()).select_from(Report)) == 3
    # Two established accounts and one of four days: now it counts.
    report(proposal, create_reporter(), REASON)
    report(proposal, create_reporter(), REASON)
    db.session.commit()
    assert not fetch(Proposal, proposal.id).is_hidden
    report(proposal, create_user(email_confirmed_at=utcnow() - 4 * days), REASON)
    db.session.commit()
    assert fetch(Proposal, proposal.id).is_hidden


def test_blocked_accounts_reports_do_not_count(app, proposal, create_reporter, fetch):
    reporters = [create_reporter() for _ in range(3)]
    for reporter in reporters[:2]:
        report(proposal, reporter, REASON)
    reporters[0].blocked_at = utcnow()
    db.session.commit()
    report(proposal, reporters[2], REASON)
    db.session.commit()
    assert not fetch(Proposal, proposal.id).is_hidden


def test_threshold_defaults_to_three(app):
    assert app.config["REPORT_HIDE_THRESHOLD"] == 3
    assert app.config["COMMENT_EDIT_MINUTES"] == 15


def test_resolved_reports_do_not_count(proposal, create_reporter, moderator, create_comment, fetch):
    comment = create_comment(proposal)
    for _ in range(3):
        report(comment, create_reporter(), REASON)
    assert restore(comment, moderator, "Rien de grave.") is True
    db.session.commit()
    assert fetch(Proposal, proposal.id).comment_count == 1
    assert all(r.resolved_by_id == moderator.id for r in db.session.scalars(select(Report)))
    for _ in range(2):
        report(comment, create_reporter(), REASON)
    db.session.commit()
    assert fetch(Comment, comment.id).hidden_at is None


def test_only_moderators_hide_and_restore(proposal, resident, create_comment):
    comment = create_comment(proposal)
    with pytest.raises(core_errors.NotAllowed):
        hide(comment, resident, "abuse")
    comment.hidden_at = utcnow()
    with pytest.raises(core_errors.NotAllowed):
        restore(comment, resident, "Rien de grave.")


def test_hide_twice_changes_counters_once(proposal, moderator, create_comment, fetch):
    from sqlalchemy.orm.attributes import set_committed_value

    comment = create_comment(proposal)
    assert hide(comment, moderator, "abuse") is True
    db.session.commit()
    with pytest.raises(moderation_errors.AlreadyHidden):
        hide(comment, moderator, "abuse")
    # Asked at the same time by another moderator, whose request read it still shown.
    set_committed_value(comment, "hidden_at", None)
    set_committed_value(comment, "hidden_reason", None)
    assert hide(comment, moderator, "abuse") is False
    db.session.commit()
    assert fetch(Proposal, proposal.id).comment_count == 0


# --- the thread ------------------------------------------------------------------------------


def test_hidden_comments_are_absent_for_the_public_and_marked_for_moderators(
    proposal, create_user, moderator, create_comment
):
    shown = create_comment(proposal)
    hidden = create_comment(proposal, hidden_at=utcnow(), hidden_reason="reported")
    hidden_reply = create_comment(proposal, parent=shown, hidden_at=utcnow())
    for viewer in (None, create_user()):
        thread = comment_thread(proposal, 1, viewer)
        assert [c.id for c in thread.comments] == [shown.id]
        assert thread.replies(shown) == []
    thread = comment_thread(proposal, 1, moderator)
    assert thread.shows_hidden
    assert [c.id for c in thread.comments] == [shown.id, hidden.id]
    assert [r.id for r in thread.replies(shown)] == [hidden_reply.id]


def test_a_hidden_comment_with_replies_stays_as_a_placeholder(proposal, create_comment):
    hidden = create_comment(proposal, hidden_at=utcnow())
    reply = create_comment(proposal, parent=hidden)
    thread = comment_thread(proposal, 1, None)
    assert [c.id for c in thread.comments] == [hidden.id]
    assert [r.id for r in thread.replies(hidden)] == [reply.id]
    assert not thread.can_reply(hidden)


def test_thread_pages_oldest_first_with_replies(proposal, create_comment):
    comments = [create_comment(proposal, minutes_ago=100 - i) for i in range(25)]
    reply = create_comment(proposal, parent=comments[21])
    first = comment_thread(proposal, 1, None)
    assert [c.id for c in first.comments] == [c.id for c in comments[:20]]
    assert (first.page, first.pages, first.count) == (1, 2, 26)
    second = comment_thread(proposal, 2, None)
    assert [c.id for c in second.comments] == [c.id for c in comments[20:]]
    assert [r.id for r in second.replies(comments[21])] == [reply.id]
    assert comment_thread(proposal, 99, None).page == 2
    assert comment_page(comments[19]) == 1 and comment_page(comments[20]) == 2
    assert comment_page(reply) == 2


def test_thread_flags_follow_the_rules(proposal, resident, create_user, create_comment):
    mine = create_comment(proposal, resident)
    old = create_comment(proposal, resident, minutes_ago=60)
    theirs = create_comment(proposal)
    reported = create_comment(proposal)
    report(reported, resident, REASON)
    report(proposal, resident, REASON)
    db.session.commit()
    thread = comment_thread(proposal, 1, resident)
    by_id = {c.id: c for c in thread.comments}
    assert thread.can_comment and thread.proposal_reported
    assert thread.can_edit(by_id[mine.id]) and not thread.can_edit(by_id[old.id])
    assert thread.can_delete(by_id[old.id]) and not thread.can_delete(by_id[theirs.id])
    assert thread.can_report(by_id[theirs.id]) and not thread.can_report(by_id[mine.id])
    assert thread.has_reported(by_id[reported.id]) and not thread.can_report(by_id[reported.id])
    visitor = comment_thread(proposal, 1, None)
    assert not visitor.can_comment and not visitor.can_report(by_id[theirs.id])
    assert visitor.can_comment.asks_sign_in
    blocked = comment_thread(proposal, 1, create_user(blocked_at=utcnow()))
    assert not blocked.can_comment.asks_sign_in
    assert isinstance(blocked.can_comment.reason, core_errors.AccountBlocked)


def test_per_page_setting(proposal, create_comment, app):
    app.config["COMMENTS_PER_PAGE"] = 2
    for _ in range(3):
        create_comment(proposal)
    assert services.comment_thread(proposal, 1, None).pages == 2


def test_delete_changes_nothing_when_a_moderator_hid_it_meanwhile(
    proposal, resident, create_comment, fetch
):
    comment = create_comment(proposal, resident)
    # Another request hides it; this one still holds the comment as it was.
    db.session.execute(
        update(Comment)
        .where(Comment.id == comment.id)
        .values(hidden_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.execute(update(Proposal).where(Proposal.id == proposal.id).values(comment_count=0))
    with pytest.raises(errors.CommentDeleted):
        delete_comment(comment, resident)
    db.session.commit()
    assert fetch(Comment, comment.id) is not None
    assert fetch(Proposal, proposal.id).comment_count == 0


def test_a_deleted_comment_cannot_be_hidden(proposal, moderator, create_comment, fetch):
    comment = create_comment(proposal, deleted_at=utcnow())
    create_comment(proposal, parent=comment)
    assert hide(comment, moderator, "abuse") is False
    db.session.commit()
    assert fetch(Proposal, proposal.id).comment_count == 1
