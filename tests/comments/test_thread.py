"""The comments section: what each viewer sees, and a fixed number of queries at any size."""

import re

import pytest
from flask import render_template

from participation.comments.services import comment_thread
from participation.extensions import db
from participation.models import Proposal, Role, User, utcnow


def render_section(app, proposal, viewer, page=1):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        thread = comment_thread(proposal, page, viewer)
        return render_template(
            "comments/_section.html", proposal=proposal, thread=thread, current_user=viewer
        )


@pytest.mark.parametrize("viewer_kind", ["visitor", "resident", "moderator"])
def test_first_page_costs_the_same_queries_for_10_or_1000_comments(
    app, create_proposal, create_user, count_queries, bulk_comments, viewer_kind
):
    authors = [create_user() for _ in range(5)]
    viewer_id = None
    if viewer_kind != "visitor":
        role = Role.MODERATOR if viewer_kind == "moderator" else Role.RESIDENT
        viewer_id = create_user(role=role).id
    small, large = create_proposal(), create_proposal()
    bulk_comments(small, authors, 10)
    bulk_comments(large, authors, 1000)
    assert db.session.get(Proposal, large.id).comment_count == 1400

    counts = []
    for proposal_id, replies_shown in ((small.id, 4), (large.id, 8)):
        db.session.expunge_all()
        with count_queries() as counter:
            proposal = db.session.get(Proposal, proposal_id)
            user = db.session.get(User, viewer_id) if viewer_id else None
            html = render_section(app, proposal, user)
        counts.append(counter.count)
        assert html.count('class="comment comment--reply"') == replies_shown
    assert counts[0] == counts[1], counts
    # The proposal, its round, the viewer, the page with its replies and count, the viewer's
    # reports.
    assert counts[1] <= 5, counts


def test_hidden_comments_are_marked_for_moderators_and_absent_for_others(
    app, proposal, resident, moderator, create_comment
):
    create_comment(proposal, body="Visible.")
    create_comment(
        proposal, body="Caché après signalements.", hidden_at=utcnow(), hidden_reason="reported"
    )
    hidden_parent = create_comment(proposal, body="Caché avec réponses.", hidden_at=utcnow())
    create_comment(proposal, body="Réponse visible.", parent=hidden_parent)
    for viewer in (None, resident):
        html = render_section(app, proposal, viewer)
        assert "Visible." in html and "Réponse visible." in html
        assert "Caché" not in html and "only moderators see it" not in html
        assert "Comment hidden by moderation" in html
    html = render_section(app, proposal, moderator)
    assert "Caché après signalements." in html and "Caché avec réponses." in html
    assert "Hidden after several reports: only moderators see it" in html
    assert "Hidden by moderation: only moderators see it" in html


def test_deleted_comment_with_replies_reads_comment_deleted(
    app, proposal, resident, create_comment
):
    gone = create_comment(proposal, resident, body="Effacé", deleted_at=utcnow())
    create_comment(proposal, body="Réponse restée.", parent=gone)
    html = render_section(app, proposal, None)
    assert "Comment deleted" in html and "Réponse restée." in html
    assert "Camille" not in html


def test_section_outline_and_forms(app, proposal, resident, create_comment):
    first = create_comment(proposal, body="Premier.")
    second = create_comment(proposal, body="Second.")
    html = render_section(app, proposal, resident)
    headings = re.findall(r"<h([1-6])[^>]*>", html)
    assert headings[0] == "2" and "1" not in headings
    assert re.search(r'<h2 id="comments-title">Comments</h2>', html)
    forms = html.count("<form ")
    assert forms == 2 and html.count('name="csrf_token"') == forms
    # One reply form for the page, in a template that reply.js copies under a comment; each
    # comment's "Reply" leads to a page of its own without JavaScript.
    assert (
        html.count('name="parent_id"') == 1
        and html.count(
            '<template id="reply-template" data-ids="reply-template-" data-reply-ids="reply-{id}-">'
        )
        == 1
    )
    for comment in (first, second):
        assert f'href="/comments/{comment.id}/reply" data-reply-to="{comment.id}"' in html


def test_visitor_sees_no_action_and_a_sign_in_link(app, proposal, create_comment):
    comment = create_comment(proposal, body="Premier.")
    html = render_section(app, proposal, None)
    assert "Sign in to comment" in html and "next=" in html
    for action in ("edit", "delete", "report"):
        assert f"/comments/{comment.id}/{action}" not in html
    assert "<form " not in html


def test_each_thread_is_read_with_its_own_values_by_statements_built_once(
    app, create_proposal, create_user, create_comment
):
    """``comment_thread``'s queries are built once per kind of reader and run with the
    proposal, the page and the viewer bound: each proposal is given its own comments, replies
    and the viewer's reports, page after page."""
    from participation.comments.services import _thread_statements
    from participation.moderation.reports import report

    app.config["COMMENTS_PER_PAGE"] = 2
    resident, moderator = create_user(), create_user(role=Role.MODERATOR)
    proposals = [create_proposal(), create_proposal()]
    written = {}
    for n, proposal in enumerate(proposals):
        tops = [
            create_comment(proposal, body=f"P{n} sujet {i}", minutes_ago=30 - i) for i in range(3)
        ]
        create_comment(proposal, body=f"P{n} réponse", parent=tops[0], minutes_ago=5)
        written[proposal.id] = tops
    report(written[proposals[1].id][1], resident, "Des insultes envers un voisin.")
    db.session.commit()

    _thread_statements.cache_clear()
    with app.test_request_context("/"):
        for viewer in (None, resident, moderator, resident):
            for n, proposal in enumerate(proposals):
                first, second = (
                    comment_thread(proposal, 1, viewer),
                    comment_thread(proposal, 2, viewer),
                )
                assert [c.body for c in first.comments] == [f"P{n} sujet 0", f"P{n} sujet 1"]
                assert [c.body for c in second.comments] == [f"P{n} sujet 2"]
                assert first.pages == 2
                [reply] = first.replies(first.comments[0])
                assert reply.body == f"P{n} réponse"
                reported = written[proposals[1].id][1].id if viewer is resident and n else None
                assert first.reported_comment_ids == ({reported} if reported else set())
    # One set of statements for the public, one for those who see hidden comments.
    assert _thread_statements.cache_info().misses == 2


def test_a_page_its_replies_and_its_count_are_read_in_one_statement(
    app, proposal, create_user, create_comment, count_queries
):
    """The page's top-level comments, their replies (published ones, or all for a moderator)
    and the count of top-level comments come in one statement, each list in its order; a page
    past the last finds no row to count on, counts alone and shows the last page."""
    app.config["COMMENTS_PER_PAGE"] = 2
    tops = [create_comment(proposal, body=f"Sujet {i}", minutes_ago=30 - i) for i in range(3)]
    create_comment(proposal, body="Réponse tardive", parent=tops[0], minutes_ago=1)
    create_comment(proposal, body="Réponse cachée", parent=tops[1], hidden_at=utcnow())
    create_comment(proposal, body="Réponse ancienne", parent=tops[0], minutes_ago=25)
    db.session.commit()
    moderator = create_user(role=Role.MODERATOR)
    db.session.refresh(proposal)
    db.session.refresh(moderator)
    with app.test_request_context("/"):
        for viewer in (None, moderator):
            with count_queries() as counter:
                thread = comment_thread(proposal, 1, viewer)
            # A signed-in viewer's reports are read next.
            assert counter.count == (2 if viewer else 1), counter.statements
            assert "UNION ALL" in counter.statements[0]
            assert [c.body for c in thread.comments] == ["Sujet 0", "Sujet 1"]
            assert (thread.pages, thread.pagination.total) == (2, 3)
            assert [r.body for r in thread.replies(tops[0])] == [
                "Réponse ancienne",
                "Réponse tardive",
            ]
            hidden = [r.body for r in thread.replies(tops[1])]
            assert hidden == (["Réponse cachée"] if viewer else [])
        with count_queries() as counter:
            past = comment_thread(proposal, 9, None)
        assert [c.body for c in past.comments] == ["Sujet 2"] and past.page == 2
        # The empty page, the count alone, the last page.
        assert counter.count == 3, counter.statements


def test_the_viewers_reports_are_read_by_one_text_whatever_the_page(
    app, proposal, create_proposal, create_user, create_comment
):
    """A reply on the second page, reported by the viewer, is marked there; a report on another
    proposal's comment is not; and the statement that reads the viewer's reports is the same
    text on every page (a list of the page's ids made a new one at each request)."""
    from sqlalchemy import event

    from participation.moderation.reports import report

    app.config["COMMENTS_PER_PAGE"] = 2
    resident = create_user()
    tops = [create_comment(proposal, body=f"Sujet {i}", minutes_ago=30 - i) for i in range(3)]
    create_comment(proposal, body="Autre réponse", parent=tops[1], minutes_ago=6)
    reply = create_comment(proposal, body="Réponse", parent=tops[2], minutes_ago=5)
    elsewhere = create_comment(create_proposal(), body="Ailleurs")
    for item in (tops[0], reply, elsewhere):
        report(item, resident, "Des insultes envers un voisin.")
    db.session.commit()

    texts = []

    def seen(_conn, _cursor, statement, *_args):
        if "FROM reports" in statement:
            texts.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with app.test_request_context("/"):
            first = comment_thread(proposal, 1, resident)
            second = comment_thread(proposal, 2, resident)
            assert [first.actions(c).reported for c in first.comments] == [True, False]
            [last] = second.comments
            assert not second.actions(last).reported
            assert second.actions(second.replies(last)[0]).reported
            assert elsewhere.id not in first.reported_comment_ids | second.reported_comment_ids
            assert not first.proposal_reported
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(texts) == 2 and texts[0] == texts[1]


def test_a_thread_reads_neither_the_comments_markdown_nor_their_authors_accounts(
    app, proposal, resident, create_comment
):
    """What the list shows of a comment is its HTML and its author's name: the Markdown source,
    the authors' addresses, password hashes and two-factor secrets stay in the database."""
    from sqlalchemy import event

    top = create_comment(proposal, body="Premier avis.")
    create_comment(proposal, body="Une réponse.", parent=top)
    proposal_id = proposal.id
    db.session.commit()
    db.session.expunge_all()
    texts = []

    def seen(_conn, _cursor, statement, *_args):
        texts.append(statement)

    proposal = db.session.get(Proposal, proposal_id)
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        html = render_section(app, proposal, None)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert "Premier avis." in html and "Une réponse." in html
    read = [text for text in texts if "FROM comments" in text]
    assert read
    for text in read:
        assert not re.search(r"comments\.body\b(?!_html)", text), text
        for secret in ("users_1.email", "password_hash", "totp_secret"):
            assert secret not in text


def test_a_threads_verdicts_are_the_rulebooks_asked_comment_by_comment(
    app, create_proposal, create_user, create_comment
):
    """The thread asks the viewer's verdicts on posting and on being signed in once for all its
    comments: what it allows each viewer is what each rule says when asked on its own."""
    from participation.comments import rules
    from participation.moderation.rules import can_report

    author, other = create_user(), create_user()
    blocked = create_user(blocked_at=utcnow())
    unconfirmed = create_user(email_confirmed_at=None)
    moderator = create_user(role=Role.MODERATOR)
    proposal = create_proposal()
    top = create_comment(proposal, author=author, body="Récent")
    create_comment(proposal, author=author, body="Ancien", minutes_ago=120)
    create_comment(proposal, author=other, body="Réponse", parent=top)
    # Written before the account was blocked, or its address unconfirmed: a blocked author may
    # still delete theirs but no longer edit it.
    create_comment(proposal, author=blocked, body="Avant le blocage", minutes_ago=2)
    create_comment(proposal, author=unconfirmed, body="Sans adresse confirmée", minutes_ago=1)
    seen = set()
    with app.test_request_context("/"):
        for viewer in (None, author, other, blocked, unconfirmed, moderator):
            thread = comment_thread(proposal, 1, viewer)
            shown = [c for t in thread.comments for c in [t, *thread.replies(t)]]
            assert len(shown) == 5
            for comment in shown:
                actions = thread.actions(comment)
                expected = (
                    bool(rules.can_edit(viewer, comment, thread.now)),
                    bool(rules.can_delete(viewer, comment)),
                    bool(rules.can_reply(viewer, comment, thread.now)),
                    bool(can_report(viewer, comment)),
                )
                assert (actions.edit, actions.delete, actions.reply, actions.report) == expected
                seen.add(expected)
    # The viewers between them are allowed and refused each of these.
    assert {any(column) for column in zip(*seen, strict=True)} == {True}
    assert {all(column) for column in zip(*seen, strict=True)} == {False}
