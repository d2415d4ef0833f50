"""Following, notifications, the choice of mail and the digest, without a request."""

import pytest

from participation.errors import ParticipationError
from participation.extensions import db
from participation.following import services
from participation.models import (
    Delivery,
    Follow,
    Notification,
    NotificationType,
    ProposalStatus,
    User,
)
from participation.moderation import services as moderation
from participation.proposals import supports


@pytest.fixture
def moderator(create_user):
    return create_user(role="moderator")


def _notifications(user) -> list[Notification]:
    return list(
        db.session.scalars(
            db.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def _unread(user) -> int:
    return db.session.scalar(db.select(User.unread_notifications).where(User.id == user.id))


def test_a_resident_follows_and_stops_following(create_proposal, create_user):
    proposal, resident = create_proposal(), create_user()
    assert not services.follows(resident, proposal)
    assert services.follow(resident, proposal) is True
    assert services.follow(resident, proposal) is False  # once
    assert services.follows(resident, proposal)
    assert services.unfollow(resident, proposal) is True
    assert not services.follows(resident, proposal)


def test_nobody_follows_what_they_cannot_see_and_authors_always_follow(
    create_proposal, create_user
):
    hidden = create_proposal(status="submitted")
    with pytest.raises(ParticipationError):
        services.follow(create_user(), hidden)
    with pytest.raises(ParticipationError):
        services.unfollow(hidden.author, hidden)
    assert services.follows(hidden.author, hidden)


def test_supporters_follow_from_their_support(create_proposal, create_user):
    proposal, resident = create_proposal(), create_user()
    supports.support(proposal, resident)
    db.session.commit()
    assert services.follows(resident, proposal)


def test_followers_are_told_on_site_and_by_mail_as_they_chose(
    create_proposal, create_user, moderator, outbox
):
    proposal = create_proposal()
    at_once, digest, quiet = create_user(), create_user(), create_user()
    for user in (at_once, digest, quiet):
        services.follow(user, proposal)
    services.set_preferences(digest, {NotificationType.ANSWER: Delivery.DIGEST})
    services.set_preferences(quiet, {NotificationType.ANSWER: Delivery.NONE})
    moderation.decide(proposal, moderator, ProposalStatus.UNDER_STUDY, "Étude du coût")
    db.session.commit()
    # The author and the three followers, each once, on the site.
    for user in (proposal.author, at_once, digest, quiet):
        (notification,) = _notifications(user)
        assert (notification.event, notification.note) == ("under_study", "Étude du coût")
        assert _unread(user) == 1
    assert sorted(m["To"] for m in outbox()) == sorted([proposal.author.email, at_once.email])
    assert [n.in_digest for n in _notifications(digest)] == [True]
    assert [n.in_digest for n in _notifications(quiet)] == [False]


def test_the_digest_gathers_the_news_once(create_proposal, create_user, moderator, outbox):
    first, second = create_proposal(title="Des bancs"), create_proposal(title="Des arbres")
    resident = create_user()
    services.set_preferences(
        resident,
        {NotificationType.ANSWER: Delivery.DIGEST, NotificationType.COMMENT: Delivery.NONE},
    )
    for proposal in (first, second):
        services.follow(resident, proposal)
    moderation.decide(first, moderator, ProposalStatus.RETAINED, "Bonne idée")
    moderation.decide(second, moderator, ProposalStatus.NOT_RETAINED, "Déjà prévu")
    db.session.commit()
    before = len(outbox())
    assert services.send_digests() == 1
    db.session.commit()
    mails = outbox()[before:]
    (digest,) = [m for m in mails if m["To"] == resident.email]
    text = digest.get_body().get_content()
    assert "Des bancs" in text and "Des arbres" in text and "Déjà prévu" in text
    assert services.send_digests() == 0


def test_marking_read_keeps_the_count_right(create_proposal, create_user, moderator):
    proposal = create_proposal()
    resident = create_user()
    services.follow(resident, proposal)
    moderation.decide(proposal, moderator, ProposalStatus.UNDER_STUDY, "Étude")
    moderation.decide(proposal, moderator, ProposalStatus.RETAINED, "Retenue")
    db.session.commit()
    assert _unread(resident) == 2
    first, _second = _notifications(resident)
    assert services.mark_read(resident, first.id) == 1
    assert services.mark_read(resident, first.id) == 0
    assert _unread(resident) == 1
    assert services.mark_read(resident) == 1
    assert _unread(resident) == 0


def test_a_comment_tells_the_followers_but_its_writer(create_proposal, create_user):
    from participation.comments.services import add_comment

    proposal = create_proposal()
    follower, writer = create_user(), create_user()
    services.follow(follower, proposal)
    services.follow(writer, proposal)
    add_comment(proposal, writer, "Je soutiens cette idée pour le quartier.")
    db.session.commit()
    assert [n.event for n in _notifications(follower)] == ["comment"]
    assert [n.event for n in _notifications(proposal.author)] == ["comment"]
    assert _notifications(writer) == []


def test_following_is_unique_in_the_database(create_proposal, create_user):
    from sqlalchemy.exc import IntegrityError

    proposal, resident = create_proposal(), create_user()
    db.session.add(Follow(user_id=resident.id, proposal_id=proposal.id))
    db.session.commit()
    db.session.add(Follow(user_id=resident.id, proposal_id=proposal.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_an_erased_account_follows_nothing_and_keeps_no_notification(
    create_proposal, create_user, moderator
):
    from participation.me.services import erase_account
    from tests.conftest import TEST_PASSWORD

    proposal, resident = create_proposal(), create_user()
    services.follow(resident, proposal)
    services.set_preferences(resident, {NotificationType.ANSWER: Delivery.DIGEST})
    moderation.decide(proposal, moderator, ProposalStatus.UNDER_STUDY, "Étude")
    db.session.commit()
    erase_account(resident, TEST_PASSWORD)
    db.session.commit()
    assert not services.follows(resident, proposal)
    assert _notifications(resident) == [] and _unread(resident) == 0
    assert services.preferences(resident)[NotificationType.ANSWER] is Delivery.IMMEDIATE
