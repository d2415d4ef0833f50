"""Following from a proposal's page, the notifications page and the choice of mail."""

import pytest

from participation.extensions import db
from participation.following import services
from participation.models import Delivery, NotificationType, ProposalStatus
from participation.moderation import services as moderation
from participation.moderation.reports import hide

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}


@pytest.fixture
def moderator(create_user):
    return create_user(role="moderator")


def _url(proposal) -> str:
    return f"/rounds/{proposal.round.slug}/proposals/{proposal.number}"


def test_a_resident_follows_from_the_page_and_stops(client, sign_in, create_proposal, create_user):
    proposal, resident = create_proposal(), create_user()
    sign_in(resident)
    page = client.get(_url(proposal), headers=FR).text
    assert "Suivre cette proposition" in page
    response = client.post(f"{_url(proposal)}/follow")
    assert response.status_code == 302
    page = client.get(_url(proposal), headers=EN).text
    assert "You follow this proposal" in page and "Stop following" in page
    assert client.post(f"{_url(proposal)}/unfollow").status_code == 302
    assert not services.follows(resident, proposal)


def test_visitors_are_sent_to_sign_in_and_the_author_cannot_stop(client, sign_in, create_proposal):
    proposal = create_proposal()
    response = client.post(f"{_url(proposal)}/follow")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    sign_in(proposal.author)
    page = client.get(_url(proposal), headers=EN).text
    assert "You follow this proposal" in page and "Stop following" not in page
    assert client.post(f"{_url(proposal)}/unfollow").status_code == 403


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        (FR, ["Notifications", "1 non lue", "Mise à l’étude", "Tout marquer comme lu"]),
        (EN, ["Notifications", "1 unread", "Under study by the city", "Mark all as read"]),
    ],
)
def test_the_notifications_page_and_the_unread_count(
    client, sign_in, create_proposal, create_user, moderator, headers, words
):
    proposal, resident = create_proposal(title="Un jardin partagé"), create_user()
    services.follow(resident, proposal)
    moderation.decide(proposal, moderator, ProposalStatus.UNDER_STUDY, "Étude du terrain")
    db.session.commit()
    sign_in(resident)
    home = client.get("/", headers=headers).text
    assert words[1] in home
    page = client.get("/notifications", headers=headers).text
    for word in words:
        assert word in page
    assert "Un jardin partagé" in page and "Étude du terrain" in page
    response = client.post("/notifications/read", data={})
    assert response.status_code == 302
    assert words[1] not in client.get("/notifications", headers=headers).text


def test_one_notification_is_marked_read(client, sign_in, create_proposal, create_user, moderator):
    proposal, resident = create_proposal(), create_user()
    services.follow(resident, proposal)
    moderation.decide(proposal, moderator, ProposalStatus.UNDER_STUDY, "Étude")
    moderation.decide(proposal, moderator, ProposalStatus.RETAINED, "Retenue")
    db.session.commit()
    sign_in(resident)
    first = services.notifications_query(resident).limit(1)
    newest = db.session.scalars(first).first()
    client.post("/notifications/read", data={"notification_id": str(newest.id)})
    assert "1 unread" in client.get("/notifications", headers=EN).text


def test_the_account_page_keeps_the_choice_of_mail(client, sign_in, create_user):
    resident = create_user()
    sign_in(resident)
    page = client.get("/account", headers=FR).text
    assert "Notifications et e-mails" in page and "Un récapitulatif quotidien" in page
    response = client.post(
        "/notifications/preferences",
        data={"mail-answer": "digest", "mail-action": "immediate", "mail-comment": "none"},
    )
    assert response.status_code == 302
    assert services.preferences(resident) == {
        NotificationType.ANSWER: Delivery.DIGEST,
        NotificationType.ACTION: Delivery.IMMEDIATE,
        NotificationType.COMMENT: Delivery.NONE,
    }
    page = client.get("/account", headers=EN).text
    assert 'checked id="mail-answer-1" name="mail-answer" type="radio" value="digest"' in page
    response = client.post("/notifications/preferences", data={"mail-answer": "pigeon"})
    assert response.status_code == 400


def test_the_notifications_page_does_a_fixed_number_of_queries(
    client, sign_in, create_proposal, create_user, moderator, assert_page_queries
):
    resident = create_user()
    sign_in(resident)

    def add(count):
        for _ in range(count):
            proposal = create_proposal()
            services.follow(resident, proposal)
            moderation.decide(proposal, moderator, ProposalStatus.UNDER_STUDY, "Étude")
        db.session.commit()

    add(1)
    few = assert_page_queries("/notifications", 8)
    add(15)
    assert assert_page_queries("/notifications", 8) == few


def test_the_digest_command(runner, create_proposal, create_user, moderator, outbox):
    proposal, resident = create_proposal(), create_user()
    services.set_preferences(resident, {NotificationType.ANSWER: Delivery.DIGEST})
    services.follow(resident, proposal)
    moderation.decide(proposal, moderator, ProposalStatus.UNDER_STUDY, "Étude")
    db.session.commit()
    result = runner.invoke(args=["notifications", "digest"])
    assert result.exit_code == 0, result.output
    assert "1 digest(s) sent." in result.output
    assert any(m["To"] == resident.email for m in outbox())


def test_news_of_a_proposal_hidden_since_names_it_by_its_code(
    client, sign_in, runner, create_proposal, create_user, moderator, outbox
):
    """The notifications page and the digest ask the rulebook (``can_view``) before giving a
    title or a link: a proposal hidden by moderation after the news is named by its code."""
    shown, hidden = (
        create_proposal(title="Un jardin partagé"),
        create_proposal(title="Un titre injurieux"),
    )
    resident = create_user()
    services.set_preferences(resident, {NotificationType.ANSWER: Delivery.DIGEST})
    for proposal in (shown, hidden):
        services.follow(resident, proposal)
        moderation.decide(proposal, moderator, ProposalStatus.UNDER_STUDY, "À l'étude")
    db.session.commit()
    hide(hidden, moderator, "Propos injurieux")
    db.session.commit()
    sign_in(resident)

    for headers, placeholder in (
        (FR, "Une proposition qui n’est plus affichée"),
        (EN, "A proposal no longer shown"),
    ):
        page = client.get("/notifications", headers=headers).text
        assert "Un jardin partagé" in page and _url(shown) in page
        assert "injurieux" not in page and _url(hidden) not in page
        assert placeholder in page and hidden.code in page

    assert runner.invoke(args=["notifications", "digest"]).exit_code == 0
    (digest,) = [m for m in outbox() if m["To"] == resident.email]
    text = digest.get_body().get_content()
    assert "Un jardin partagé" in text and _url(shown) in text
    assert "injurieux" not in text and _url(hidden) not in text
    assert hidden.code in text
