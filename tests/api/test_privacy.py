"""Nothing the site keeps private ever leaves through the API, on any endpoint."""

import json
from datetime import date

from participation.extensions import db
from participation.models import Support, utcnow

from .test_http import walk

API = "/api/v1"


def test_no_private_data_in_any_response(
    client,
    create_user,
    create_round,
    create_pillar,
    create_neighbourhood,
    create_proposal,
    create_comment,
    create_workshop,
    create_deliberation,
    add_event,
    add_progress_note,
):
    now = utcnow()
    pillar = create_pillar()
    round_ = create_round(pillars=[pillar])
    create_neighbourhood()
    author = create_user(email="author.secret@example.org", display_name="Auteur Public")
    blocked = create_user(
        email="blocked.secret@example.org",
        display_name="Compte Bloqué",
        blocked_at=now,
        blocked_reason="SECRET-BLOCKED-REASON",
    )
    erased = create_user(email="erased.secret@example.org", display_name="SECRET-ERASED-NAME")
    erased.erased_at = now
    supporter = create_user(email="supporter.secret@example.org", display_name="SECRET-SUPPORTER")
    moderator = create_user(
        "moderator", email="moderator.secret@example.org", display_name="SECRET-MODERATOR"
    )
    facilitator = create_user(
        "facilitator", email="facilitator.secret@example.org", display_name="SECRET-FACILITATOR"
    )
    workshop = create_workshop(round_, created_by_id=facilitator.id)
    workshop.facilitators = [facilitator]

    public = create_proposal(round=round_, author=author, title="Titre public")
    by_blocked = create_proposal(round=round_, author=blocked)
    by_erased = create_proposal(round=round_, author=erased)
    paper = create_proposal(
        round=round_, origin="workshop", workshop=workshop, entered_by=facilitator
    )
    hidden = create_proposal(
        round=round_,
        author=author,
        title="SECRET-HIDDEN-TITLE",
        body="SECRET-HIDDEN-BODY",
        hidden_at=now,
        hidden_reason="SECRET-HIDDEN-REASON",
        decision_reason="SECRET-HIDDEN-DECISION",
    )
    submitted = create_proposal(
        round=round_,
        author=author,
        title="SECRET-SUBMITTED-TITLE",
        body="SECRET-SUBMITTED-BODY",
        status="submitted",
    )
    db.session.add(Support(proposal_id=public.id, user_id=supporter.id, round_id=round_.id))
    db.session.commit()

    add_event(public, from_status="submitted", to_status="published", actor=moderator)
    add_event(public, kind="edited", previous="SECRET-PREVIOUS-TEXT", is_public=True)
    # A refused change of text: its reason is for the author and the moderators only.
    add_event(
        public, kind="edit_refused", note="SECRET-MODERATOR-NOTE", is_public=False, actor=moderator
    )
    add_event(hidden, from_status="submitted", to_status="published", note="SECRET-EVENT-OF-HIDDEN")

    visible = create_comment(public, author=author, body="Commentaire visible")
    create_comment(public, author=blocked, body="Réponse visible", parent=visible)
    create_comment(public, author=erased, body="Réponse d'un compte effacé", parent=visible)
    create_comment(public, author=author, body="SECRET-HIDDEN-REPLY", parent=visible, hidden_at=now)
    create_comment(
        public, author=author, body="SECRET-DELETED-REPLY", parent=visible, deleted_at=now
    )
    hidden_top = create_comment(
        public,
        author=author,
        body="SECRET-HIDDEN-COMMENT",
        hidden_at=now,
        hidden_reason="SECRET-COMMENT-REASON",
    )
    create_comment(public, author=author, body="SECRET-REPLY-UNDER-HIDDEN", parent=hidden_top)
    create_comment(public, author=author, body="SECRET-DELETED-COMMENT", deleted_at=now)
    create_comment(hidden, author=author, body="SECRET-COMMENT-ON-HIDDEN")
    create_comment(paper, origin="workshop", workshop=workshop, entered_by=facilitator)

    deliberation = create_deliberation(pillar=pillar)
    deliberation.council_session.round = round_
    public.deliberation = deliberation
    hidden.deliberation = deliberation
    db.session.commit()
    add_progress_note(deliberation, "Avancement public", date(2024, 1, 1))

    responses = {}

    def get(url):
        response = client.get(url)
        responses[url] = response
        return response

    for url in [
        f"{API}/rounds",
        f"{API}/rounds/{round_.slug}",
        f"{API}/rounds/{round_.slug}/statistics",
        f"{API}/pillars",
        f"{API}/council-sessions",
        f"{API}/deliberations",
        f"{API}/workshops",
        f"{API}/workshops/{workshop.id}",
        f"{API}/openapi.json",
        f"{API}/docs",
    ]:
        assert get(url).status_code == 200, url
    for sort in ("supports", "newest", "comments"):
        seen, _ = walk(client, f"{API}/proposals?sort={sort}&limit=2")
        assert set(seen) == {public.id, by_blocked.id, by_erased.id, paper.id}
        for status in ("published", "retained"):
            get(f"{API}/proposals?sort={sort}&status={status}")
    for proposal in (public, by_blocked, by_erased, paper, hidden, submitted):
        get(f"{API}/proposals/{proposal.id}")
        get(f"{API}/proposals/{proposal.id}/comments")
        get(f"{API}/proposals/{proposal.id}/comments?limit=1")
    assert responses[f"{API}/proposals/{hidden.id}"].status_code == 404
    assert responses[f"{API}/proposals/{submitted.id}"].status_code == 404

    # Decoded, so that escaped characters (\u00e9) cannot hide a match.
    everything = "\n".join(
        json.dumps(r.get_json(), ensure_ascii=False) if r.is_json else r.get_data(as_text=True)
        for r in responses.values()
    )
    # The checks below can fail: the visible content is there.
    assert "Titre public" in everything
    assert "Auteur Public" in everything and "Compte Bloqué" in everything
    assert "Réponse visible" in everything and "Deleted account" in everything
    assert "Avancement public" in everything
    assert "@" not in everything.replace("@context", "")
    leaks = [secret for secret in _secrets() if secret in everything]
    assert leaks == []
    proposal_data = responses[f"{API}/proposals/{public.id}"].get_json()
    assert [e["kind"] for e in proposal_data["trail"]] == ["status", "edited"]
    assert proposal_data["trail"][0]["to_status"] == "published"


def _secrets():
    return [
        "example.org",
        "SECRET-BLOCKED-REASON",
        "SECRET-ERASED-NAME",
        "SECRET-SUPPORTER",
        "SECRET-MODERATOR",
        "SECRET-FACILITATOR",
        "SECRET-HIDDEN-TITLE",
        "SECRET-HIDDEN-BODY",
        "SECRET-HIDDEN-REASON",
        "SECRET-HIDDEN-DECISION",
        "SECRET-SUBMITTED-TITLE",
        "SECRET-SUBMITTED-BODY",
        "SECRET-PREVIOUS-TEXT",
        "SECRET-MODERATOR-NOTE",
        "SECRET-EVENT-OF-HIDDEN",
        "SECRET-HIDDEN-REPLY",
        "SECRET-DELETED-REPLY",
        "SECRET-HIDDEN-COMMENT",
        "SECRET-COMMENT-REASON",
        "SECRET-REPLY-UNDER-HIDDEN",
        "SECRET-DELETED-COMMENT",
        "SECRET-COMMENT-ON-HIDDEN",
    ]
