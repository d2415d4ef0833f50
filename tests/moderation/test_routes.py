import pytest

from participation.extensions import db
from participation.models import AuditEntry, Comment, ProposalRevision, Report, Support
from participation.text import render_markdown

from .conftest import moderation_routes


def audit_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(AuditEntry))


@pytest.mark.parametrize("role", ["resident", "facilitator"])
def test_every_moderation_route_is_forbidden_to_residents_and_facilitators(
    app, client, create_user, sign_in, targets, role
):
    sign_in(create_user(role=role))
    routes = list(moderation_routes(app, targets))
    assert len(routes) >= 12
    for method, url in routes:
        response = client.open(url, method=method, headers={"Accept-Language": "en"})
        assert response.status_code == 403, (method, url)
        assert "You are not allowed to do this." in response.text, (method, url)
    assert audit_count() == 0


def test_every_moderation_route_sends_visitors_to_sign_in(app, client, targets):
    for method, url in moderation_routes(app, targets):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], (
            method,
            url,
        )
    assert audit_count() == 0


def test_audit_log_is_for_admins_only(client, create_user, sign_in):
    sign_in(create_user(role="moderator"))
    assert client.get("/moderation/audit").status_code == 403
    sign_in(create_user(role="admin"))
    assert client.get("/moderation/audit").status_code == 200


def test_moderator_home_shows_what_waits(
    client, create_user, sign_in, create_proposal, create_round, create_pillar
):
    round_ = create_round(pillars=[create_pillar()], premoderation=True)
    create_proposal(round=round_, status="submitted", title="Un jardin sur le toit")
    reported = create_proposal(round=round_, title="Un parking géant")
    for _ in range(2):
        db.session.add(
            Report(reporter_id=create_user().id, proposal_id=reported.id, reason="Hors sujet total")
        )
    create_proposal(round=round_, title="Des pistes cyclables partout")
    create_proposal(round=round_, title="Pistes cyclables sécurisées partout")
    db.session.commit()
    sign_in(create_user(role="moderator"))
    page = client.get("/moderation/", headers={"Accept-Language": "en"}).text
    assert "Un jardin sur le toit" in page
    assert "Hors sujet total" in page and "2 reports" in page
    assert "Compare and merge" in page


def test_moderator_home_query_count_does_not_grow(
    client,
    create_user,
    sign_in,
    create_proposal,
    create_round,
    create_pillar,
    assert_page_queries,
    propose_change,
):
    round_ = create_round(pillars=[create_pillar(), create_pillar()], premoderation=True)
    sign_in(create_user(role="moderator"))

    def add(n):
        for i in range(n):
            p = create_proposal(
                round=round_,
                status="submitted" if i % 3 == 0 else "published",
                title=f"Idée {i} pour la ville",
            )
            if i % 4 == 0:
                db.session.add(
                    Report(reporter_id=p.author_id, proposal_id=p.id, reason="Signalement de test")
                )
            if i % 5 == 1 and p.status == "published":  # a change waiting for a moderator
                propose_change(p, f"Idée {i} revue", "Texte revu")
        db.session.commit()

    def waiting_changes() -> int:
        return db.session.scalar(db.select(db.func.count()).select_from(ProposalRevision))

    add(4)
    assert waiting_changes() == 1
    few = assert_page_queries("/moderation/", 20)
    add(60)
    assert waiting_changes() == 9
    assert assert_page_queries("/moderation/", 20) == few


def test_bulk_publish_and_decide(client, create_user, sign_in, create_proposal):
    waiting = [create_proposal(status="submitted") for _ in range(2)]
    sign_in(create_user(role="moderator"))
    response = client.post(
        "/moderation/bulk", data={"action": "publish", "proposal_ids": [str(p.id) for p in waiting]}
    )
    assert response.status_code == 302
    for p in waiting:
        db.session.refresh(p)
        assert p.status == "published"
    # Not retaining without a reason changes nothing at all.
    response = client.post(
        "/moderation/bulk",
        data={"action": "not_retained", "reason": "", "proposal_ids": [str(p.id) for p in waiting]},
    )
    for p in waiting:
        db.session.refresh(p)
        assert p.status == "published"
    client.post(
        "/moderation/bulk",
        data={
            "action": "not_retained",
            "reason": "Déjà prévu",
            "proposal_ids": [str(p.id) for p in waiting],
        },
    )
    for p in waiting:
        db.session.refresh(p)
        assert p.status == "not_retained"


def test_decision_form_keeps_what_was_typed_on_error(client, create_user, sign_in, create_proposal):
    proposal = create_proposal()
    sign_in(create_user(role="moderator"))
    response = client.post(
        f"/moderation/proposals/{proposal.id}/decide",
        data={"decision-target": "not_retained", "decision-reason": ""},
    )
    assert response.status_code == 400
    response = client.post(
        f"/moderation/proposals/{proposal.id}/decide",
        data={"decision-target": "retained", "decision-reason": "Très bonne idée, à étudier"},
    )
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == "retained"
    public = client.get(f"/rounds/{proposal.round.slug}/proposals/{proposal.number}").text
    assert "Très bonne idée, à étudier" in public


def test_merge_through_the_page(client, create_user, sign_in, create_proposal):
    kept = create_proposal(title="Des bancs")
    dup = create_proposal(round=kept.round, title="Plus de bancs")
    supporter = create_user()
    db.session.add(Support(proposal_id=dup.id, user_id=supporter.id, round_id=dup.round_id))
    dup.support_count = 1
    db.session.commit()
    sign_in(create_user(role="moderator"))
    assert client.get(f"/moderation/merge?ids={kept.id}&ids={dup.id}").status_code == 200
    response = client.post(
        "/moderation/merge", data={"ids": [kept.id, dup.id], "kept": kept.id, "note": "Doublon"}
    )
    assert response.status_code == 302
    db.session.refresh(kept)
    db.session.refresh(dup)
    assert kept.support_count == 1 and dup.merged_into_id == kept.id
    page = client.get(f"/rounds/{dup.round.slug}/proposals/{dup.number}").text
    assert f"/proposals/{kept.number}" in page


def test_block_through_the_page(client, create_user, sign_in):
    resident = create_user(display_name="Spammeur")
    sign_in(create_user(role="moderator"))
    assert "Spammeur" in client.get("/moderation/users?q=spam").text
    client.post(f"/moderation/users/{resident.id}/block", data={"reason": "Publicités"})
    db.session.refresh(resident)
    assert resident.is_blocked
    actions = [e.action for e in db.session.scalars(db.select(AuditEntry))]
    assert actions == ["user.block"]


def test_hide_from_the_moderation_page_and_dismiss_reports(
    client, create_user, sign_in, create_proposal
):
    proposal = create_proposal()
    db.session.add(Report(reporter_id=create_user().id, proposal_id=proposal.id, reason="Insultes"))
    db.session.commit()
    sign_in(create_user(role="moderator"))
    assert "Insultes" in client.get(f"/moderation/proposals/{proposal.id}").text
    assert (
        client.post(
            f"/moderation/proposals/{proposal.id}/hide", data={"hide-reason": ""}
        ).status_code
        == 400
    )
    client.post(
        f"/moderation/proposals/{proposal.id}/hide", data={"hide-reason": "Insultes avérées"}
    )
    db.session.refresh(proposal)
    assert proposal.is_hidden
    assert db.session.scalar(db.select(Report)).resolved_at is not None
    client.post(
        f"/moderation/proposals/{proposal.id}/restore", data={"hide-reason": "Corrigé par l'auteur"}
    )
    db.session.refresh(proposal)
    assert not proposal.is_hidden


def test_dismiss_reports_of_several_items_at_once(client, create_user, sign_in, create_proposal):
    proposal = create_proposal()
    comment = Comment(
        proposal_id=proposal.id,
        author_id=create_user().id,
        body="Un avis",
        body_html=render_markdown("Un avis"),
    )
    db.session.add(comment)
    db.session.flush()
    db.session.add_all(
        [
            Report(reporter_id=create_user().id, proposal_id=proposal.id, reason="Pas d'accord"),
            Report(
                reporter_id=create_user().id, comment_id=comment.id, reason="Pas d'accord non plus"
            ),
        ]
    )
    db.session.commit()
    sign_in(create_user(role="moderator"))
    page = client.get("/moderation/").text
    assert f'value="proposal:{proposal.id}"' in page and f'value="comment:{comment.id}"' in page
    response = client.post(
        "/moderation/reports/dismiss-selected",
        data={"items": [f"proposal:{proposal.id}", f"comment:{comment.id}"]},
    )
    assert response.status_code == 302
    assert all(r.resolution == "dismissed" for r in db.session.scalars(db.select(Report)))


def test_the_home_shows_what_the_reports_hid_automatically(
    client, create_user, sign_in, create_proposal, app
):
    from datetime import timedelta

    from participation.models import utcnow
    from participation.moderation.reports import report

    automatic = create_proposal(title="Caché par les signalements")
    by_hand = create_proposal(title="Signalé seulement")
    long_ago = utcnow() - timedelta(days=30)
    for _ in range(3):
        report(automatic, create_user(email_confirmed_at=long_ago), "Propos injurieux.")
    report(by_hand, create_user(email_confirmed_at=long_ago), "Hors sujet.")
    db.session.commit()
    assert automatic.is_hidden and not by_hand.is_hidden
    sign_in(create_user(role="moderator"))
    page = client.get("/moderation/", headers={"Accept-Language": "en"}).text
    assert "1 hidden automatically" in page
    reports = page[page.index('id="reports-title"') :]
    flagged = reports[: reports.index("Signalé seulement")]
    assert "Caché par les signalements" in flagged and "Hidden automatically" in flagged
    assert "Hidden automatically" not in reports[reports.index("Signalé seulement") :]


def test_what_the_reports_hid_is_hidden_for_good_from_its_moderation_page(
    client, create_user, sign_in, create_proposal, create_comment
):
    from datetime import timedelta

    from participation.models import utcnow
    from participation.moderation.reports import report

    proposal = create_proposal(title="Caché par les signalements")
    comment = create_comment(proposal, body="Un commentaire injurieux")
    db.session.commit()
    long_ago = utcnow() - timedelta(days=30)
    for item in (comment, proposal):
        for _ in range(3):
            report(item, create_user(email_confirmed_at=long_ago), "Propos injurieux.")
    db.session.commit()
    sign_in(create_user(role="moderator"))
    url = f"/moderation/proposals/{proposal.id}"
    page = client.get(url, headers={"Accept-Language": "en"}).text
    assert "Hidden automatically after reports" in page and "Hidden: reported" not in page
    hide = page[page.index('id="hide"') :]
    assert "Hide for good" in hide and f'formaction="{url}/restore"' in hide
    assert "Hide the comment for good" in page
    assert f'formaction="/moderation/comments/{comment.id}/restore"' in page
    french = client.get(url).text
    assert "Masqué automatiquement après des signalements" in french
    assert "Masquer définitivement" in french

    # The platform's own reason is not a moderator's.
    refused = client.post(f"{url}/hide", data={"hide-reason": "reported"})
    assert refused.status_code == 400 and "vos propres mots" in refused.text
    response = client.post(f"{url}/hide", data={"hide-reason": "Insultes avérées"})
    assert response.status_code == 302
    response = client.post(
        f"/moderation/comments/{comment.id}/hide", data={"hide-reason": "Insultes"}
    )
    assert response.status_code == 302
    db.session.refresh(proposal)
    db.session.refresh(comment)
    assert (proposal.hidden_reason, comment.hidden_reason) == ("Insultes avérées", "Insultes")
    page = client.get(url, headers={"Accept-Language": "en"}).text
    assert "Hidden: Insultes avérées" in page and "Hide for good" not in page
    # Every report is closed, as hidden: none is open on the page, and the queue is empty.
    reports = page[page.index('id="reports-title"') :]
    assert "<td>Open</td>" not in reports and reports.count("<td>Hidden</td>") == 6
    home = client.get("/moderation/", headers={"Accept-Language": "en"}).text
    assert "No open report." in home
