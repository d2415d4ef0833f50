"""The download of everything the platform holds about an account."""

import json
import re

from participation.extensions import db
from participation.models import (
    Delivery,
    Follow,
    Notification,
    NotificationPreference,
    NotificationType,
    UserSession,
    utcnow,
)


def test_download_is_a_dated_json_attachment(client, create_user, sign_in):
    sign_in(create_user())
    response = client.get("/me/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert re.search(r'filename="[\w-]*\d{4}-\d{2}-\d{2}\.json"', disposition)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_proposal_hidden_since_is_named_by_its_code_alone(
    client, create_user, create_proposal, create_support, create_comment, create_report, sign_in
):
    """What the person supported, followed or commented keeps its title while they may see it;
    hidden by moderation since, it is named by its code (the rulebook's ``can_view``)."""
    anne = create_user()
    shown = create_proposal(title="Un jardin partagé")
    hidden = create_proposal(title="Un titre injurieux")
    for proposal in (shown, hidden):
        create_support(proposal, anne)
        create_comment(proposal, anne, body="Mon avis")
        create_report(anne, proposal=proposal)
        db.session.add(Follow(user_id=anne.id, proposal_id=proposal.id))
        db.session.add(
            Notification(
                user_id=anne.id,
                proposal_id=proposal.id,
                type=NotificationType.ANSWER,
                event="under_study",
            )
        )
    db.session.commit()
    hidden.hidden_at = utcnow()
    hidden.hidden_reason = "Propos injurieux"
    db.session.commit()
    sign_in(anne)

    data = json.loads(client.get("/me/data.json").data)

    parts = {part: data[part] for part in ("supports", "following", "comments", "notifications")}
    parts["reports"] = [{"proposal": entry["item"]["proposal"]} for entry in data["reports"]]
    for part, entries in parts.items():
        references = {entry["proposal"]["id"]: entry["proposal"] for entry in entries}
        assert references[shown.id]["title"] == "Un jardin partagé", part
        assert references[hidden.id]["title"] is None, part
        assert references[hidden.id]["code"] == hidden.code, part
    assert b"injurieux" not in client.get("/me/data.json").data


def test_download_holds_the_account_and_nobody_else(
    client,
    create_user,
    create_neighbourhood,
    create_proposal,
    create_support,
    create_comment,
    create_report,
    create_event,
    sign_in,
):
    anne = create_user(
        email="anne@example.org",
        display_name="Anne Martin",
        neighbourhood_id=create_neighbourhood("Catorive").id,
        locale="fr",
        blocked_at=utcnow(),
        blocked_reason="Propos injurieux",
    )
    moderator = create_user(role="moderator", email="moderation@example.org", display_name="Modé")
    bruno = create_user(email="bruno@example.org", display_name="Bruno Leroy")
    mine = create_proposal(author=anne, title="Des bancs", status="not_retained")
    create_event(
        mine, actor=moderator, from_status="published", to_status="not_retained", note="Hors sujet"
    )
    create_event(mine, actor=moderator, kind="hidden", note="Note interne", is_public=False)
    create_event(mine, actor=anne, kind="edited", previous="Ancien texte", is_public=False)
    theirs = create_proposal(author=bruno, title="Une piste cyclable")
    create_support(theirs, anne)
    create_support(mine, bruno)
    create_comment(theirs, anne, body="Mon commentaire")
    their_comment = create_comment(mine, bruno, body="Commentaire de Bruno")
    create_report(anne, comment=their_comment, reason="Hors sujet aussi")
    create_report(bruno, proposal=mine, reason="Signalement de Bruno")
    db.session.add_all(
        [
            Follow(user_id=anne.id, proposal_id=theirs.id),
            Follow(user_id=bruno.id, proposal_id=mine.id),
            Notification(
                user_id=anne.id,
                proposal_id=theirs.id,
                type=NotificationType.ANSWER,
                event="under_study",
                note="À l'étude par les services",
            ),
            Notification(
                user_id=bruno.id,
                proposal_id=mine.id,
                type=NotificationType.COMMENT,
                event="comment",
                note="Pour Bruno seulement",
            ),
            NotificationPreference(
                user_id=anne.id, type=NotificationType.COMMENT, delivery=Delivery.DIGEST
            ),
        ]
    )
    db.session.commit()
    sign_in(anne)

    response = client.get("/me/data.json")
    data = json.loads(response.data)

    profile = data["profile"]
    assert profile["email"] == "anne@example.org"
    assert profile["display_name"] == "Anne Martin"
    assert profile["role"] == "resident"
    assert profile["neighbourhood"] == "Catorive"
    assert profile["language"] == "fr"
    assert profile["confirmed"] is True and profile["blocked"] is True
    assert profile["blocked_reason"] == "Propos injurieux"
    assert profile["created_at"].endswith("Z")

    (proposal,) = data["proposals"]
    assert proposal["title"] == "Des bancs" and proposal["status"] == "not_retained"
    assert proposal["online_supports"] == 1
    trail = proposal["trail"]
    assert [line["kind"] for line in trail] == ["status", "edited"]
    assert trail[0]["note"] == "Hors sujet" and trail[0]["by_you"] is False
    assert trail[1]["previous_text"] == "Ancien texte"

    (support,) = data["supports"]
    assert support["proposal"]["title"] == "Une piste cyclable"
    (comment,) = data["comments"]
    assert comment["body"] == "Mon commentaire"
    assert comment["proposal"]["id"] == theirs.id
    (report,) = data["reports"]
    assert report["reason"] == "Hors sujet aussi"
    assert report["item"] == {
        "type": "comment",
        "comment_id": their_comment.id,
        "proposal": {
            "id": mine.id,
            "code": mine.code,
            "title": "Des bancs",
            "round": mine.round.slug,
        },
    }

    (following,) = data["following"]
    assert following["proposal"]["id"] == theirs.id and following["since"].endswith("Z")
    (notification,) = data["notifications"]
    assert notification["type"] == "answer" and notification["event"] == "under_study"
    assert notification["note"] == "À l'étude par les services"
    assert notification["proposal"]["id"] == theirs.id and notification["read_at"] is None
    assert data["mail_preferences"]["comment"] == "digest"
    assert set(data["mail_preferences"]) == {kind.value for kind in NotificationType}
    (session,) = data["sessions"]
    assert session["signed_in_at"].endswith("Z") and session["last_seen_at"].endswith("Z")
    with client.session_transaction() as cookie:
        token = cookie["_user_id"]
    (stored,) = db.session.scalars(db.select(UserSession.token_hash).filter_by(user_id=anne.id))
    assert token not in response.text and stored not in response.text
    assert profile["two_factor_enabled_at"] is None

    text = response.get_data(as_text=True)
    for other in ("bruno@example.org", "Bruno Leroy", "moderation@example.org", "Modé"):
        assert other not in text
    assert "Commentaire de Bruno" not in text
    assert "Signalement de Bruno" not in text
    assert "Note interne" not in text
    assert "Pour Bruno seulement" not in text
