import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from participation.extensions import db
from participation.models import Comment, Proposal, Report, Role, utcnow
from tests.conftest import open_session

PROPOSAL_PATH = re.compile(r"^/rounds/[\w-]+/proposals/(\d+)(\?comments_page=\d+)?(#[\w-]+)?$")
REASON = "Des insultes envers un voisin."


def kept(html: str, text: str) -> bool:
    """The text typed is back in a textarea of the page."""
    return re.search(r">\s*" + re.escape(text) + "</textarea>", html) is not None


def comments_on(proposal) -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Comment).where(Comment.proposal_id == proposal.id)))


def proposal_url_of(proposal) -> str:
    return f"/rounds/{proposal.round.slug}/proposals/{proposal.number}"


def post_comment(client, proposal, body="Bonne idée, et des bancs aussi.", **data):
    return client.post(f"/proposals/{proposal.id}/comments", data={"body": body, **data})


def test_visitor_is_sent_to_sign_in(client, proposal):
    response = post_comment(client, proposal)
    assert response.status_code == 302
    assert response.location.startswith("/sign-in?next=")
    assert comments_on(proposal) == []


@pytest.mark.parametrize("action", ["comments", "support"])
def test_a_form_sent_signed_out_leads_back_to_its_page_not_to_its_address(client, proposal, action):
    """A session that ended while the page was open: the form's address takes only the form
    (GET /support answered 405 after signing in); the page it was on is where to come back."""
    page = proposal_url_of(proposal)
    url = f"/proposals/{proposal.id}/comments" if action == "comments" else f"{page}/support"
    response = client.post(
        url, data={"body": "Bonne idée."}, headers={"Referer": f"http://localhost{page}"}
    )
    assert response.status_code == 303
    address = urlsplit(response.location)
    assert (address.path, parse_qs(address.query)) == ("/sign-in", {"next": [page]})
    signing_in = client.get(response.location)
    assert "Please sign in to continue." in signing_in.text
    assert comments_on(proposal) == []


def test_resident_comments_and_returns_to_the_comment(client, sign_in, proposal, resident):
    sign_in(resident)
    response = post_comment(client, proposal)
    [comment] = comments_on(proposal)
    match = PROPOSAL_PATH.match(response.location)
    assert response.status_code == 302 and match
    assert match.group(1) == str(proposal.number) and match.group(3) == f"#comment-{comment.id}"
    assert comment.author_id == resident.id
    page = client.get(response.location.split("#")[0])
    assert "Your comment is published." in page.text
    assert "Bonne idée, et des bancs aussi." in page.text


def test_resident_replies(client, sign_in, proposal, resident, create_comment):
    top = create_comment(proposal)
    sign_in(resident)
    response = post_comment(client, proposal, "Je suis d'accord.", parent_id=str(top.id))
    assert response.status_code == 302
    reply = next(c for c in comments_on(proposal) if c.id != top.id)
    assert reply.parent_id == top.id and response.location.endswith(f"#comment-{reply.id}")


def test_without_javascript_reply_opens_a_page_of_its_own(
    client, sign_in, proposal, resident, create_comment
):
    top = create_comment(proposal, body="Des bancs à l'ombre, surtout.")
    sign_in(resident)
    page = client.get(proposal_url_of(proposal))
    link = f'href="/comments/{top.id}/reply"'
    assert link in page.text and page.text.count('name="parent_id"') == 1  # the template's only
    response = client.get(f"/comments/{top.id}/reply")
    assert response.status_code == 200
    assert "<p>Des bancs à l'ombre, surtout.</p>" in response.text  # the comment answered
    assert f'name="parent_id" value="{top.id}"' in response.text
    assert f'id="reply-{top.id}-body"' in response.text
    sent = post_comment(client, proposal, "Je suis d'accord.", parent_id=str(top.id))
    assert sent.status_code == 302
    assert [c.parent_id for c in comments_on(proposal) if c.id != top.id] == [top.id]


def test_no_reply_page_for_a_visitor_a_reply_or_a_hidden_comment(
    client, sign_in, proposal, resident, create_comment
):
    top = create_comment(proposal)
    response = client.get(f"/comments/{top.id}/reply")
    assert response.status_code == 302 and response.location.startswith("/sign-in?next=")
    sign_in(resident)
    reply = create_comment(proposal, parent=top)
    hidden = create_comment(proposal, hidden_at=utcnow(), hidden_reason="moderation")
    # No reply to a reply (one level): not allowed. A hidden comment: not possible now, said.
    for refused, status, said in (
        (reply, 403, "You are not allowed to do this."),
        (hidden, 409, "This has been hidden by moderation."),
    ):
        response = client.get(f"/comments/{refused.id}/reply", headers={"Accept-Language": "en"})
        assert (response.status_code, said in response.text) == (status, True), refused
    assert client.get("/comments/999999/reply").status_code == 404


def test_reply_to_a_vanished_comment_keeps_the_text(client, sign_in, proposal, resident):
    sign_in(resident)
    response = post_comment(client, proposal, "Ma réponse soignée.", parent_id="999999")
    assert response.status_code == 409
    assert "This comment has been deleted." in response.text
    assert "Ma réponse soignée." in response.text
    assert 'name="parent_id"' not in response.text  # offered as a new comment


def test_a_reply_to_a_comment_hidden_meanwhile_neither_quotes_nor_answers_it(
    client, sign_in, proposal, resident, create_comment
):
    top = create_comment(proposal, body="Propos injurieux.", hidden_at=utcnow())
    sign_in(resident)
    response = post_comment(client, proposal, "Ma réponse soignée.", parent_id=str(top.id))
    assert response.status_code >= 400 and "Ma réponse soignée." in response.text
    assert "Propos injurieux." not in response.text and 'name="parent_id"' not in response.text
    assert "<h1>Comment on a proposal</h1>" in response.text


def test_moderator_comments(client, sign_in, proposal, moderator):
    sign_in(moderator)
    assert post_comment(client, proposal).status_code == 302
    assert len(comments_on(proposal)) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"blocked_at": utcnow()}, "Your account is blocked: you can read, but not post."),
        ({"confirmed": False}, "Please confirm your e-mail address first"),
    ],
)
def test_refused_accounts_see_why_and_keep_their_text(
    client, sign_in, proposal, create_user, fields, message
):
    sign_in(create_user(**fields))
    response = post_comment(client, proposal, "Mon texte tapé avec soin.")
    assert response.status_code == 403
    assert message in response.text
    assert "Mon texte tapé avec soin." in response.text
    assert proposal.title.replace("'", "&#39;") in response.text
    assert comments_on(proposal) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write your comment."),
        ("x", "A comment must have between 2 and 3,000 characters."),
        ("y" * 3001, "A comment must have between 2 and 3,000 characters."),
    ],
)
def test_form_errors_keep_what_was_typed(client, sign_in, proposal, resident, body, message):
    sign_in(resident)
    response = post_comment(client, proposal, body)
    assert response.status_code == 400
    assert message in response.text
    assert "<title>Error:" in response.text
    assert 'aria-invalid="true"' in response.text
    if body:
        assert kept(response.text, body)
    assert comments_on(proposal) == []


def test_closed_round_refuses_with_a_message(
    client, sign_in, create_round, create_proposal, resident
):
    proposal = create_proposal(round=create_round(phase="closed"))
    sign_in(resident)
    response = post_comment(client, proposal, "Trop tard peut-être.")
    assert response.status_code == 409
    assert "This phase of the consultation is closed." in response.text
    assert "Trop tard peut-être." in response.text


def test_unpublished_proposal_is_not_found(client, sign_in, create_proposal, resident):
    proposal = create_proposal(status="submitted")
    sign_in(resident)
    assert post_comment(client, proposal).status_code == 404
    assert client.get(f"/proposals/{proposal.id}/report").status_code == 404


# --- edit and delete -------------------------------------------------------------------------


def test_author_edits_within_the_window(client, sign_in, proposal, resident, create_comment):
    comment = create_comment(proposal, resident, body="Avant")
    sign_in(resident)
    page = client.get(f"/comments/{comment.id}/edit")
    assert page.status_code == 200 and kept(page.text, "Avant")
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "Après"})
    assert response.status_code == 302 and PROPOSAL_PATH.match(response.location)
    [saved] = comments_on(proposal)
    assert saved.body == "Après" and saved.edited_at is not None


def test_edit_form_errors_keep_the_text(client, sign_in, proposal, resident, create_comment):
    comment = create_comment(proposal, resident)
    sign_in(resident)
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "z"})
    assert response.status_code == 400 and kept(response.text, "z")


def test_edit_after_the_window_explains(client, sign_in, proposal, resident, create_comment):
    comment = create_comment(proposal, resident, minutes_ago=20)
    sign_in(resident)
    page = client.get(f"/comments/{comment.id}/edit")
    assert page.status_code == 200
    assert "during the 15 minutes after it is posted" in page.text and "<textarea" not in page.text
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "Tardif mais soigné"})
    assert response.status_code == 409
    assert "during the 15 minutes after it is posted" in response.text
    assert kept(response.text, "Tardif mais soigné")  # a text typed too late stays on screen
    [unchanged] = comments_on(proposal)
    assert unchanged.edited_at is None and unchanged.body == "Un commentaire d'essai."


def test_others_cannot_edit_or_delete(client, sign_in, proposal, create_user, create_comment):
    comment = create_comment(proposal)
    sign_in(create_user())
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    assert client.post(f"/comments/{comment.id}/delete").status_code == 403
    assert len(comments_on(proposal)) == 1


def test_visitor_is_sent_to_sign_in_for_every_action(client, proposal, create_comment):
    comment = create_comment(proposal)
    for url in (
        f"/comments/{comment.id}/edit",
        f"/comments/{comment.id}/delete",
        f"/comments/{comment.id}/report",
        f"/proposals/{proposal.id}/report",
    ):
        response = client.post(url, data={"body": "x", "reason": REASON})
        assert response.status_code == 302 and response.location.startswith("/sign-in"), url


def test_author_deletes(client, sign_in, proposal, resident, create_comment):
    lonely = create_comment(proposal, resident)
    answered = create_comment(proposal, resident, body="Texte effacé")
    create_comment(proposal, parent=answered)
    lonely_id, answered_id = lonely.id, answered.id
    sign_in(resident)
    for comment_id in (lonely_id, answered_id):
        response = client.post(f"/comments/{comment_id}/delete")
        assert response.status_code == 302 and PROPOSAL_PATH.match(response.location)
    remaining = {c.id: c for c in comments_on(proposal)}
    assert lonely_id not in remaining and remaining[answered_id].is_deleted
    assert db.session.get(Proposal, proposal.id).comment_count == 1
    page = client.get(response.location.split("#")[0])
    assert "Comment deleted" in page.text and "Texte effacé" not in page.text


# --- reports ---------------------------------------------------------------------------------


def test_report_a_proposal(client, sign_in, proposal, resident):
    sign_in(resident)
    page = client.get(f"/proposals/{proposal.id}/report")
    assert page.status_code == 200
    assert '<label for="reason">' in page.text and "csrf_token" in page.text
    response = client.post(f"/proposals/{proposal.id}/report", data={"reason": REASON})
    assert response.status_code == 302 and PROPOSAL_PATH.match(response.location)
    report = db.session.scalar(select(Report))
    assert (report.proposal_id, report.reporter_id, report.reason) == (
        proposal.id,
        resident.id,
        REASON,
    )
    assert "Thank you for your report" in client.get(response.location).text


def test_duplicate_report_explains_and_keeps_the_reason(client, sign_in, proposal, resident):
    sign_in(resident)
    client.post(f"/proposals/{proposal.id}/report", data={"reason": REASON})
    response = client.post(
        f"/proposals/{proposal.id}/report", data={"reason": "Une seconde raison."}
    )
    assert response.status_code == 409
    assert "You have already reported this." in response.text
    assert kept(response.text, "Une seconde raison.")
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1
    again = client.get(f"/proposals/{proposal.id}/report")
    assert "You have already reported this." in again.text and "<textarea" not in again.text


def test_report_reason_errors_keep_the_text(client, sign_in, proposal, resident):
    sign_in(resident)
    response = client.post(f"/proposals/{proposal.id}/report", data={"reason": "abc"})
    assert response.status_code == 400
    assert "Give a reason of between 5 and 1,000 characters." in response.text
    assert kept(response.text, "abc")


def test_own_proposal_is_not_reportable(client, sign_in, proposal):
    sign_in(proposal.author)
    page = client.get(f"/proposals/{proposal.id}/report")
    assert page.status_code == 409
    assert "You cannot report what you wrote yourself." in page.text
    assert "<textarea" not in page.text
    response = client.post(f"/proposals/{proposal.id}/report", data={"reason": REASON})
    assert response.status_code == 409
    assert "You cannot report what you wrote yourself." in response.text
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_blocked_resident_cannot_report(client, sign_in, proposal, create_user):
    sign_in(create_user(blocked_at=utcnow()))
    response = client.post(f"/proposals/{proposal.id}/report", data={"reason": REASON})
    assert response.status_code == 403 and "Your account is blocked" in response.text


def test_reported_comment_hides_itself_for_the_public_not_for_moderators(
    app, client, sign_in, proposal, create_user, create_reporter, create_comment, moderator
):
    comment = create_comment(proposal, body="Un commentaire insultant")
    for _ in range(3):
        sign_in(create_reporter())
        response = client.post(f"/comments/{comment.id}/report", data={"reason": REASON})
        assert response.status_code == 302
        assert response.location.endswith(f"#comment-{comment.id}")
    proposal_page = response.location.split("#")[0]
    visitor = app.test_client()
    assert "Un commentaire insultant" not in visitor.get(proposal_page).text
    assert visitor.get(f"/comments/{comment.id}/report").status_code == 302
    sign_in(create_user())
    again = client.get(f"/comments/{comment.id}/report")
    assert again.status_code == 409 and "This has been hidden by moderation." in again.text
    assert "Un commentaire insultant" not in again.text
    sign_in(moderator)
    page = client.get(proposal_page)
    assert "Un commentaire insultant" in page.text
    assert "Hidden after several reports: only moderators see it" in page.text


# --- the section on the proposal page ---------------------------------------------------------


def test_section_shows_authors_dates_and_actions(
    client, sign_in, proposal, resident, create_user, create_comment
):
    erased = create_user(erased_at=utcnow(), display_name="Ancien")
    create_comment(proposal, erased, body="Je suis parti.")
    create_comment(proposal, None, body="Écrit sur papier.", origin="workshop")
    mine = create_comment(proposal, resident, body="Le mien.", edited_at=utcnow())
    theirs = create_comment(proposal, create_user(display_name="Dominique"))
    sign_in(resident)
    page = client.get(f"/rounds/{proposal.round.slug}/proposals/{proposal.number}").text
    section = page[page.index('<section id="comments"') :]
    assert '<h2 id="comments-title">Comments</h2>' in section
    assert "4 comments" in section
    assert "Deleted account" in section and "Ancien" not in section
    assert "Written at a workshop" in section
    assert "Camille" in section and "Dominique" in section and "edited" in section
    assert f'href="/comments/{mine.id}/edit"' in section
    assert f'action="/comments/{mine.id}/delete"' in section
    assert f'href="/comments/{theirs.id}/report"' in section
    assert f'href="/comments/{mine.id}/report"' not in section
    assert f'href="/comments/{theirs.id}/edit"' not in section
    # Every comment shown can be answered: a link each, one reply form for them all.
    replies = re.findall(r'href="/comments/(\d+)/reply"', section)
    assert len(replies) == 4 and section.count('name="parent_id"') == 1
    # Labels point at unique fields: the comment form's and the reply form's template.
    ids = re.findall(r'<textarea[^>]* id="([^"]+)"', section)
    assert len(ids) == len(set(ids)) == 2
    for field_id in ids:
        assert f'<label for="{field_id}">' in section


@pytest.mark.parametrize(
    ("who", "sentence"),
    [
        ("visitor", "Sign in to comment"),
        ("blocked", "Your account is blocked: you can read, but not post."),
        ("unconfirmed", "Please confirm your e-mail address first"),
    ],
)
def test_section_says_why_one_cannot_comment(
    client, sign_in, proposal, create_user, create_comment, who, sentence
):
    create_comment(proposal)
    if who == "blocked":
        sign_in(create_user(blocked_at=utcnow()))
    elif who == "unconfirmed":
        sign_in(create_user(confirmed=False))
    page = client.get(f"/rounds/{proposal.round.slug}/proposals/{proposal.number}").text
    section = page[page.index('<section id="comments"') :]
    assert sentence in section
    assert "Add a comment" not in section and "<details" not in section


def test_section_says_when_comments_are_closed(
    client, sign_in, create_round, create_proposal, create_comment, resident
):
    proposal = create_proposal(round=create_round(phase="closed"))
    earlier = create_comment(proposal, body="Écrit avant la clôture.")
    sign_in(resident)
    page = client.get(f"/rounds/{proposal.round.slug}/proposals/{proposal.number}").text
    assert "This phase of the consultation is closed." in page and "Add a comment" not in page
    # Nor a reply to a comment written before: the thread's verdict on commenting holds for each.
    assert "Écrit avant la clôture." in page and f"/comments/{earlier.id}/reply" not in page


def test_section_pages(client, proposal, create_comment):
    for minutes in range(25, 0, -1):
        create_comment(proposal, body=f"Commentaire {26 - minutes}.", minutes_ago=minutes)
    base = f"/rounds/{proposal.round.slug}/proposals/{proposal.number}"
    first = client.get(base).text
    assert "Commentaire 1." in first and "Commentaire 21." not in first
    assert f'href="{base}?comments_page=2#comments"' in first and "Page 1 of 2" in first
    second = client.get(f"{base}?comments_page=2").text
    assert "Commentaire 21." in second and 'start="21"' in second
    assert f'href="{base}?comments_page=1#comments"' in second


def test_proposal_page_costs_the_same_queries_for_10_or_1000_comments(
    client, sign_in, create_proposal, create_user, assert_page_queries, bulk_comments
):
    authors = [create_user() for _ in range(5)]
    sign_in(create_user(role=Role.RESIDENT))
    small, large = create_proposal(), create_proposal()
    bulk_comments(small, authors, 10)
    bulk_comments(large, authors, 1000)
    urls = [f"/rounds/{p.round.slug}/proposals/{p.number}" for p in (small, large)]
    counts = [assert_page_queries(url, 30) for url in urls]
    assert counts[0] == counts[1]


# --- security --------------------------------------------------------------------------------


def test_csrf_is_on_unless_a_test_turns_it_off(database_url, tmp_path):
    from participation import create_app
    from tests.conftest import make_config

    config = make_config(database_url, tmp_path)
    del config["WTF_CSRF_ENABLED"]
    app = create_app(config)
    assert app.config["WTF_CSRF_ENABLED"] is True
    with app.app_context():
        db.engine.dispose()


def test_comment_forms_need_their_csrf_token(app_factory, create_proposal, create_user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        proposal, user = create_proposal(), create_user()
        client = signed_in_client(app, user)
        assert post_comment(client, proposal).status_code == 400
        reported = client.post(f"/proposals/{proposal.id}/report", data={"reason": REASON})
        assert reported.status_code == 400
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
        page = client.get(f"/rounds/{proposal.round.slug}/proposals/{proposal.number}").text
        section = page[page.index('<section id="comments"') :]
        token = re.search(r'name="csrf_token" value="([^"]+)"', section).group(1)
        response = post_comment(client, proposal, csrf_token=token)
        assert response.status_code == 302
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 1


def signed_in_client(app, user, address="192.0.2.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    with client.session_transaction() as session:
        session["_user_id"] = open_session(user)
    return client


def test_comments_are_rate_limited_per_account(app_factory, create_proposal, create_user):
    app = app_factory(RATELIMIT_ENABLED=True)
    with app.app_context():
        proposal, user = create_proposal(), create_user()
        statuses = []
        for n in range(11):
            # A new address each time: the account's own limit applies.
            client = signed_in_client(app, user, f"192.0.2.{n + 1}")
            statuses.append(post_comment(client, proposal, f"Commentaire {n}.").status_code)
        assert statuses[:10] == [302] * 10
        assert statuses[10] == 429


def test_comments_are_rate_limited_per_address(app_factory, create_proposal, create_user):
    app = app_factory(RATELIMIT_ENABLED=True)
    with app.app_context():
        proposal = create_proposal()
        statuses = [
            post_comment(signed_in_client(app, create_user()), proposal, f"Salut {n}.").status_code
            for n in range(11)
        ]
        assert statuses[:10] == [302] * 10
        assert statuses[10] == 429


def test_reports_are_rate_limited(app_factory, create_proposal, create_user):
    app = app_factory(RATELIMIT_ENABLED=True, REPORT_HIDE_THRESHOLD=100)
    with app.app_context():
        proposals = [create_proposal() for _ in range(11)]
        client = signed_in_client(app, create_user())
        statuses = [
            client.post(f"/proposals/{p.id}/report", data={"reason": REASON}).status_code
            for p in proposals
        ]
        assert statuses[:10] == [302] * 10 and statuses[10] == 429


def test_reports_are_limited_per_account_and_per_day(app_factory, create_proposal, create_user):
    app = app_factory(RATELIMIT_ENABLED=True, REPORT_HIDE_THRESHOLD=100, REPORTS_PER_DAY=3)
    with app.app_context():
        proposals = [create_proposal() for _ in range(5)]
        client = signed_in_client(app, create_user())
        # A report refused for its reason is not counted.
        refused = client.post(f"/proposals/{proposals[0].id}/report", data={"reason": "x"})
        assert refused.status_code == 400
        statuses = [
            client.post(f"/proposals/{p.id}/report", data={"reason": REASON}).status_code
            for p in proposals[:4]
        ]
        assert statuses == [302, 302, 302, 429]
        assert db.session.scalar(select(func.count()).select_from(Report)) == 3
        # Someone else, from the same address, still reports.
        other = signed_in_client(app, create_user())
        response = other.post(f"/proposals/{proposals[4].id}/report", data={"reason": REASON})
        assert response.status_code == 302
