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
    # The proposal, its round, the viewer, the count, the page, the replies, the viewer's reports.
    assert counts[1] <= 7, counts


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
