"""Under study, answer templates, the decision with no default, and the moderators' links."""

import re

import pytest

from participation.errors import Invalid
from participation.extensions import db
from participation.models import AnswerLanguage, AnswerTemplate, AuditEntry, ProposalStatus
from participation.moderation import answers, services

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}


@pytest.fixture
def moderator(create_user):
    return create_user(role="moderator")


def _public(client, proposal, headers=EN):
    return client.get(
        f"/rounds/{proposal.round.slug}/proposals/{proposal.number}", headers=headers
    ).text


# --- services ------------------------------------------------------------------------------


def test_answer_templates_are_written_changed_and_deleted_by_moderators(moderator, create_user):
    template = answers.create_answer_template(
        moderator, " Étude technique ", "Les services étudient.", AnswerLanguage.FRENCH
    )
    assert template.title == "Étude technique"
    with pytest.raises(Invalid):
        answers.create_answer_template(moderator, "Étude technique", "Bis", AnswerLanguage.FRENCH)
    # The same title in the other language is another template.
    answers.create_answer_template(moderator, "Étude technique", "Studied.", AnswerLanguage.ENGLISH)
    answers.update_answer_template(
        template, moderator, "Étude", "Les services de la ville étudient.", AnswerLanguage.FRENCH
    )
    assert [t.title for t in answers.answer_templates()] == ["Étude", "Étude technique"]
    with pytest.raises(Exception, match="not allowed|autoris"):
        answers.delete_answer_template(template, create_user())
    answers.delete_answer_template(template, moderator)
    actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == [
        "answer_template.create",
        "answer_template.create",
        "answer_template.update",
        "answer_template.delete",
    ]


def test_putting_under_study_tells_the_author_and_keeps_the_proposal_open(
    app, create_proposal, moderator, outbox
):
    proposal = create_proposal()
    services.decide(proposal, moderator, ProposalStatus.UNDER_STUDY, "Étude du coût")
    db.session.commit()
    assert proposal.status == "under_study" and proposal.decision_reason == "Étude du coût"
    (mail,) = outbox()
    assert "Étude du coût" in mail.get_body().get_content()
    # Then the decision itself, which is not a correction.
    services.decide(proposal, moderator, ProposalStatus.RETAINED, "Retenue après étude")
    db.session.commit()
    assert proposal.status == "retained"
    assert [e.action for e in db.session.scalars(db.select(AuditEntry))][-1] == "proposal.decide"


# --- routes --------------------------------------------------------------------------------


def test_the_decision_has_no_default_and_asks_for_one(client, sign_in, create_proposal, moderator):
    proposal = create_proposal()
    sign_in(moderator)
    page = client.get(f"/moderation/proposals/{proposal.id}", headers=EN).text
    assert (
        '<option value="">Choose a decision</option><option value="under_study">Under study'
    ) in page
    assert "selected" not in page.split('id="decision-target"')[1].split("</select>")[0]
    response = client.post(
        f"/moderation/proposals/{proposal.id}/decide",
        data={"decision-target": "", "decision-reason": "Ce que j’ai écrit"},
        headers=FR,
    )
    assert response.status_code == 400
    assert "Choisissez une décision\u00a0: à l’étude, retenue ou non retenue." in response.text
    assert "Ce que j’ai écrit" in response.text
    db.session.refresh(proposal)
    assert proposal.status == "published"


def test_a_moderator_puts_a_proposal_under_study_from_a_template_without_javascript(
    client, sign_in, create_proposal, moderator, create_user
):
    template = answers.create_answer_template(
        moderator, "Étude", "Les services étudient le coût et le lieu.", AnswerLanguage.FRENCH
    )
    db.session.commit()
    proposal = create_proposal()
    sign_in(moderator)
    # "Use this answer" fills the answer and keeps the decision chosen; nothing is recorded.
    response = client.post(
        f"/moderation/proposals/{proposal.id}/decide",
        data={
            "decision-target": "under_study",
            "decision-answer": str(template.id),
            "decision-use": "1",
            "decision-reason": "",
        },
        headers=EN,
    )
    assert response.status_code == 200
    assert "Les services étudient le coût et le lieu.</textarea>" in response.text
    assert '<option selected value="under_study">Under study</option>' in response.text
    db.session.refresh(proposal)
    assert proposal.status == "published"
    # The moderator adapts it and records it.
    response = client.post(
        f"/moderation/proposals/{proposal.id}/decide",
        data={
            "decision-target": "under_study",
            "decision-reason": "Les services étudient le coût et le lieu, rue d’Arras.",
        },
    )
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == "under_study"
    page = _public(client, proposal, FR)
    assert "La réponse des modérateurs\u00a0: À l’étude" in page
    assert "rue d’Arras" in page
    # Supports stay open while it is studied.
    resident = create_user()
    sign_in(resident)
    assert 'action="/rounds/' in _public(client, proposal)
    response = client.post(
        f"/rounds/{proposal.round.slug}/proposals/{proposal.number}/support", headers=EN
    )
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.support_count == 1


def test_moderators_manage_answer_templates_on_their_page(client, sign_in, moderator):
    sign_in(moderator)
    assert client.get("/moderation/answers", headers=FR).status_code == 200
    response = client.post(
        "/moderation/answers",
        data={"title": "Hors compétence", "language": "fr", "body": "Ce n’est pas du ressort."},
    )
    assert response.status_code == 302
    template = db.session.scalar(db.select(AnswerTemplate))
    response = client.post(
        "/moderation/answers",
        data={"title": "Hors compétence", "language": "fr", "body": "Doublon"},
        headers=EN,
    )
    assert response.status_code == 400
    assert "already has this title" in response.text
    response = client.post(
        f"/moderation/answers/{template.id}",
        data={"title": "Out of scope", "language": "en", "body": "Not the city's."},
    )
    assert response.status_code == 302
    db.session.refresh(template)
    assert (template.title, template.language) == ("Out of scope", "en")
    page = client.get("/moderation/answers", headers=EN).text
    assert '<li class="panel" lang="en">' in page
    assert client.post(f"/moderation/answers/{template.id}/delete").status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(AnswerTemplate)) == 0


def test_moderation_home_links_to_promotion_sessions_masterplan_and_templates(
    client, sign_in, moderator
):
    sign_in(moderator)
    page = client.get("/moderation/", headers=EN).text
    for href in (
        'href="/deliberations/promote"',
        'href="/deliberations/sessions/new"',
        'href="/deliberations/masterplan"',
        'href="/moderation/answers"',
    ):
        assert href in page


def test_promoting_from_a_proposal_prefills_its_pillar(
    client, sign_in, create_proposal, create_pillar, create_round, moderator
):
    first, second = create_pillar(), create_pillar()
    round_ = create_round(pillars=[first, second])
    create_proposal(round=round_, pillar=first, status="retained")
    proposal = create_proposal(round=round_, pillar=second, status="retained")
    sign_in(moderator)
    page = client.get(f"/moderation/proposals/{proposal.id}", headers=EN).text
    link = f"/deliberations/promote?proposal={proposal.id}&amp;round={round_.id}"
    assert link in page
    page = client.get(link.replace("&amp;", "&"), headers=EN).text
    assert f'<option selected value="{second.id}">' in page
    ticked = re.findall(r'name="proposal_ids" value="(\d+)" checked', page)
    assert ticked == [str(proposal.id)]


def test_the_hide_reason_in_the_reports_table_has_a_visible_label(
    client, sign_in, create_proposal, create_user, moderator
):
    from participation.models import Comment, Report
    from participation.text import render_markdown

    proposal = create_proposal()
    comment = Comment(
        proposal_id=proposal.id,
        author_id=create_user().id,
        body="Un avis",
        body_html=render_markdown("Un avis"),
    )
    db.session.add(comment)
    db.session.flush()
    db.session.add(Report(reporter_id=create_user().id, comment_id=comment.id, reason="Insulte"))
    db.session.commit()
    sign_in(moderator)
    page = client.get(f"/moderation/proposals/{proposal.id}", headers=FR).text
    assert '<label for="c-reason-' in page
    assert ">Motif du masquage</label>" in page
