"""A pre-moderated round: an author's change to a published proposal waits for a moderator, who
sees it beside the published text, then accepts it or refuses it with a reason sent to the
author."""

from html import unescape

import pyotp
import pytest

from participation.errors import ReasonRequired
from participation.extensions import db
from participation.models import AuditEntry, EventKind, ProposalEvent, ProposalRevision, utcnow
from participation.moderation import errors, services
from participation.proposals.services import ProposalInput, edit_proposal
from participation.templating import machine_time

EN = {"Accept-Language": "en"}
PUBLISHED_BODY = "Des bancs à l'ombre des tilleuls, le long des allées du parc."
PROPOSED_BODY = "Des bancs et des fontaines à eau potable, près des jeux pour enfants."


@pytest.fixture
def moderator(create_user):
    return create_user(role="moderator")


@pytest.fixture
def changed(create_round, create_pillar, create_neighbourhood, create_proposal, create_user):
    """A published proposal of a pre-moderated round whose author (reading English) proposed a
    new title, text, pillar and neighbourhood."""
    parks, water = create_pillar(name_en="Parks"), create_pillar(name_en="Water")
    round_ = create_round(pillars=[parks, water], premoderation=True)
    author = create_user(locale="en", display_name="Camille")
    proposal = create_proposal(
        round=round_,
        author=author,
        pillar=parks,
        title="Des bancs au parc",
        body=PUBLISHED_BODY,
        neighbourhood=create_neighbourhood("Quartier du Mont-Liébaut"),
    )
    waits = not edit_proposal(
        proposal,
        author,
        ProposalInput(
            "Des bancs et des fontaines au parc",
            PROPOSED_BODY,
            water.id,
            create_neighbourhood("Quartier de la Gare").id,
        ),
    )
    db.session.commit()
    assert waits and proposal.revision is not None
    return proposal


def public_page(client, proposal, headers=EN) -> str:
    response = client.get(
        f"/rounds/{proposal.round.slug}/proposals/{proposal.number}", headers=headers
    )
    assert response.status_code == 200
    return unescape(response.text)


def test_the_change_waits_on_the_moderation_home(client, changed, moderator, sign_in):
    sign_in(moderator)
    page = unescape(client.get("/moderation/", headers=EN).text)
    section = page.split('id="changes"')[1].split("</section>")[0]
    assert "Changes awaiting moderation" in section and "(1)" in section
    assert f'href="/moderation/proposals/{changed.id}#change"' in section
    # Listed under the published title, with the day the change was made.
    assert f"{changed.code} · " in section and "Des bancs au parc" in section
    assert f'datetime="{machine_time(changed.revision.created_at)}"' in section
    summary = page.split('id="summary-changes"')[1].split("</p>")[0]
    assert "changes awaiting moderation" in summary and "oldest:" in summary


def test_the_moderation_page_shows_the_published_text_beside_the_proposed_one(
    client, changed, moderator, sign_in
):
    sign_in(moderator)
    page = unescape(client.get(f"/moderation/proposals/{changed.id}", headers=EN).text)
    change = page.split('id="change"')[1].split("</section>")[0]
    rows = {
        key: change.split(f'id="compare-{key}"')[1].split("</tr>")[0]
        for key in ("title", "text", "pillar", "neighbourhood")
    }
    assert rows["title"].index("Des bancs au parc") < rows["title"].index(
        "Des bancs et des fontaines au parc"
    )
    assert rows["text"].index(PUBLISHED_BODY) < rows["text"].index(PROPOSED_BODY)
    assert rows["pillar"].index("Parks") < rows["pillar"].index("Water")
    assert rows["neighbourhood"].index("Mont-Liébaut") < rows["neighbourhood"].index("Gare")
    assert all("changed" in row for row in rows.values())
    assert f'action="/moderation/proposals/{changed.id}/change/accept"' in change
    assert f'action="/moderation/proposals/{changed.id}/change/refuse"' in change
    assert "Accept the change" in change and "Refuse (reason sent to the author)" in change
    # Until a moderator accepts it, the public reads the published text only.
    public = public_page(client.application.test_client(), changed)
    assert PUBLISHED_BODY in public and PROPOSED_BODY not in public


def test_accepting_makes_the_new_text_public_and_keeps_the_old_one_private(
    client, changed, moderator, sign_in, outbox
):
    sign_in(moderator)
    response = client.post(f"/moderation/proposals/{changed.id}/change/accept", headers=EN)
    assert response.status_code == 302
    assert (
        "The change is accepted: the new text is public."
        in client.get(response.location, headers=EN).text
    )

    db.session.refresh(changed)
    assert (changed.title, changed.body) == ("Des bancs et des fontaines au parc", PROPOSED_BODY)
    assert (changed.pillar.name_en, changed.neighbourhood.name) == ("Water", "Quartier de la Gare")
    assert db.session.scalar(db.select(db.func.count()).select_from(ProposalRevision)) == 0
    visitor = public_page(client.application.test_client(), changed)
    assert PROPOSED_BODY in visitor and "Des bancs et des fontaines au parc" in visitor
    assert PUBLISHED_BODY not in visitor  # the old text is not public any more
    # The history keeps the old text, for moderators only.
    edit = db.session.scalars(
        db.select(ProposalEvent).where(
            ProposalEvent.proposal_id == changed.id, ProposalEvent.kind == EventKind.EDITED
        )
    ).one()
    assert edit.previous == f"Des bancs au parc\n\n{PUBLISHED_BODY}"
    assert PUBLISHED_BODY in public_page(client, changed)
    assert [e.action for e in db.session.scalars(db.select(AuditEntry))] == [
        "proposal.accept_change"
    ]
    (mail,) = outbox()
    assert (mail["To"], mail["Subject"]) == (changed.author.email, "Your change is published")
    # Nothing waits any more.
    home = client.get("/moderation/", headers=EN).text
    assert "No change awaits moderation." in home


def test_refusing_keeps_the_published_text_and_mails_the_reason_to_the_author(
    client, changed, moderator, sign_in, outbox
):
    sign_in(moderator)
    url = f"/moderation/proposals/{changed.id}/change/refuse"
    response = client.post(url, data={"change-reason": "  "}, headers=EN)
    assert response.status_code == 400
    assert "Give the reason: it is sent to the author." in response.text
    db.session.expire_all()
    assert changed.revision is not None and outbox() == []

    reason = "Les fontaines relèvent d'un autre pilier : proposez-les à part."
    response = client.post(url, data={"change-reason": reason}, headers=EN)
    assert response.status_code == 302
    assert (
        "The change is refused; its author is told why."
        in client.get(response.location, headers=EN).text
    )
    db.session.expire_all()
    assert (changed.title, changed.body) == ("Des bancs au parc", PUBLISHED_BODY)
    assert changed.pillar.name_en == "Parks" and changed.revision is None
    visitor = public_page(client.application.test_client(), changed)
    assert PUBLISHED_BODY in visitor and PROPOSED_BODY not in visitor
    assert reason not in visitor  # the reason is the author's, not the public's
    (mail,) = outbox()
    # In the author's language.
    assert (mail["To"], mail["Subject"]) == (changed.author.email, "Your change was not accepted")
    body = mail.get_body().get_content()
    assert "the published text stays" in body and reason in body
    (refused,) = db.session.scalars(
        db.select(ProposalEvent).where(ProposalEvent.kind == EventKind.EDIT_REFUSED)
    )
    assert (refused.note, refused.is_public, refused.actor_id) == (reason, False, moderator.id)


def test_a_change_is_answered_once(client, changed, moderator, sign_in):
    sign_in(moderator)
    client.post(f"/moderation/proposals/{changed.id}/change/accept")
    for url, data in (
        (f"/moderation/proposals/{changed.id}/change/accept", {}),
        (f"/moderation/proposals/{changed.id}/change/refuse", {"change-reason": "Trop tard"}),
    ):
        response = client.post(url, data=data, headers=EN)
        assert response.status_code == 409, url
        assert "No change of this proposal awaits moderation." in unescape(response.text)


def test_services_refuse_without_a_reason_or_a_waiting_change(changed, moderator, create_proposal):
    with pytest.raises(ReasonRequired):
        services.refuse_change(changed, moderator, " ")
    assert changed.revision is not None
    with pytest.raises(errors.NoPendingChange):
        services.accept_change(create_proposal(), moderator)


def test_nobody_answers_their_own_change(client, changed, create_user, sign_in):
    author = changed.author
    author.role = "moderator"
    author.totp_secret, author.two_factor_enabled_at = pyotp.random_base32(), utcnow()
    db.session.commit()
    with pytest.raises(errors.OwnContent):
        services.accept_change(changed, author)
    sign_in(author)
    page = unescape(client.get(f"/moderation/proposals/{changed.id}", headers=EN).text)
    assert "Moderators do not moderate their own contributions" in page
    assert "Accept the change" not in page
    response = client.post(f"/moderation/proposals/{changed.id}/change/accept", headers=EN)
    assert response.status_code == 403
    db.session.refresh(changed)
    assert changed.title == "Des bancs au parc" and changed.revision is not None
