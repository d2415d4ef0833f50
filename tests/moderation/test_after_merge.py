"""A merged proposal does not stop at "merged": its page shows, live, what becomes of the proposal
it joined (followed through merges of merges), and its author and the supporters whose support
moved are told when that proposal is answered, promoted, or its action progresses."""

from datetime import date
from html import unescape

import pytest

from participation.deliberations import promotion
from participation.extensions import db
from participation.masterplan import tracking
from participation.me.services import erase_account
from participation.models import MasterplanStatus, ProposalStatus, Support
from participation.moderation import reports, services
from participation.proposals.services import final_proposal
from tests.conftest import TEST_PASSWORD

EN = {"Accept-Language": "en"}
ANSWER = "La ville installera des bancs dans tous ses parcs."


@pytest.fixture
def moderator(create_user):
    return create_user(role="moderator")


def support(proposal, user) -> None:
    db.session.add(Support(proposal_id=proposal.id, user_id=user.id, round_id=proposal.round_id))
    proposal.support_count += 1
    db.session.commit()


@pytest.fixture
def merged(create_round, create_pillar, create_proposal, create_user, moderator):
    """``kept`` absorbed ``duplicate`` and ``other``; ``early`` had been merged into
    ``duplicate`` before. People who follow ``kept`` through those merges, and people who don't."""
    round_ = create_round(pillars=[create_pillar()])
    people = {
        "kept_author": create_user(locale="en"),
        "author_en": create_user(locale="en", display_name="Alice"),
        "author_fr": create_user(display_name="Bernard"),
        "early_author": create_user(locale="en", display_name="Chloé"),
        "author_quiet": create_user(notify_by_email=False),
        "author_erased": create_user(),
        "supporter_en": create_user(locale="en", display_name="Dana"),
        "supporter_fr": create_user(display_name="Émile"),
        "supporter_twice": create_user(locale="en", display_name="Farid"),
        "early_supporter": create_user(display_name="Gaëlle"),
        "supporter_quiet": create_user(notify_by_email=False),
        "supporter_erased": create_user(),
        "supporter_of_kept": create_user(),
    }
    kept = create_proposal(
        round=round_, author=people["kept_author"], title="Des bancs dans les parcs"
    )
    duplicate = create_proposal(
        round=round_, author=people["author_en"], title="Plus de bancs au parc"
    )
    other = create_proposal(round=round_, author=people["author_fr"], title="S'asseoir au parc")
    quiet = create_proposal(round=round_, author=people["author_quiet"], title="Des bancs")
    erased = create_proposal(round=round_, author=people["author_erased"], title="Bancs")
    early = create_proposal(round=round_, author=people["early_author"], title="Un banc")
    support(early, people["early_supporter"])
    services.merge(duplicate, [early], moderator, "Même idée")
    db.session.commit()
    for proposal, supporter in (
        (duplicate, "supporter_en"),
        (duplicate, "supporter_twice"),
        (other, "supporter_twice"),
        (other, "supporter_fr"),
        (other, "supporter_quiet"),
        (other, "supporter_erased"),
        (kept, "supporter_of_kept"),
        (duplicate, "supporter_of_kept"),
    ):
        support(proposal, people[supporter])
    services.merge(kept, [duplicate, other, quiet, erased], moderator, "Même idée")
    db.session.commit()
    for name in ("author_erased", "supporter_erased"):
        erase_account(people[name], TEST_PASSWORD)
    db.session.commit()
    return {"kept": kept, "duplicate": duplicate, "other": other, "early": early, **people}


FOLLOWERS = {
    # who: (the proposal they chose, that a merge carried into "kept"; their language)
    "author_en": ("duplicate", "en"),
    "author_fr": ("other", "fr"),
    "early_author": ("early", "en"),
    "supporter_en": ("duplicate", "en"),
    "supporter_fr": ("other", "fr"),
    "supporter_twice": ("duplicate", "en"),
    "early_supporter": ("early", "fr"),
}


def news(outbox, before: int) -> dict[str, object]:
    """The mails sent since ``before``, by address; fails if anyone got two."""
    mails = outbox()[before:]
    by_address = {m["To"]: m for m in mails}
    assert len(by_address) == len(mails), sorted(m["To"] for m in mails)
    return by_address


def check_followers_told(merged, mails, *expected_words) -> None:
    kept = merged["kept"]
    expected = {merged[name].email for name in FOLLOWERS} | {merged["kept_author"].email}
    assert set(mails) == expected
    for name, (origin, language) in FOLLOWERS.items():
        body = mails[merged[name].email].get_body().get_content()
        assert body.startswith("Hello" if language == "en" else "Bonjour"), (name, body)
        assert merged[origin].title in body and kept.title in body
        assert f"/proposals/{kept.number}" in body
        for word in expected_words:
            assert word in body, (name, word, body)


def test_deciding_tells_the_followers_once_each_in_their_language(merged, moderator, outbox):
    before = len(outbox())
    services.decide(merged["kept"], moderator, ProposalStatus.RETAINED, ANSWER)
    db.session.commit()
    mails = news(outbox, before)
    check_followers_told(merged, mails, ANSWER)
    body = mails[merged["author_en"].email].get_body().get_content()
    assert (
        "Your proposal « Plus de bancs au parc » was merged into « Des bancs dans les parcs »"
        in (body)
    )
    body = mails[merged["early_author"].email].get_body().get_content()
    assert "« Un banc »" in body  # merged into a proposal that was merged in turn
    body = mails[merged["supporter_en"].email].get_body().get_content()
    assert "You supported « Plus de bancs au parc »" in body
    # The kept proposal's author reads the news of their own proposal.
    own = mails[merged["kept_author"].email]
    assert own["Subject"] == "Your proposal is retained"


def test_promoting_and_the_actions_progress_tell_them_too(merged, moderator, outbox):
    kept = merged["kept"]
    services.decide(kept, moderator, ProposalStatus.RETAINED, ANSWER)
    session = promotion.create_council_session(moderator, date(2027, 3, 1), "Conseil", None)
    db.session.commit()
    before = len(outbox())
    deliberation = promotion.promote(
        [kept],
        moderator,
        promotion.DeliberationInput(session.id, 7, kept.pillar_id, "Un banc à l'ombre partout"),
    )
    db.session.commit()
    check_followers_told(merged, news(outbox, before), "Un banc à l'ombre partout")

    before = len(outbox())
    action = deliberation.action
    tracking.update_tracking(
        action, moderator, tracking.TrackingInput(MasterplanStatus.IN_PROGRESS, action.carrier_id)
    )
    db.session.commit()
    mails = news(outbox, before)
    check_followers_told(merged, mails)
    assert "is now: In progress." in mails[merged["author_en"].email].get_body().get_content()

    before = len(outbox())
    tracking.add_progress_note(action, moderator, date(2027, 6, 1), "Posés")
    tracking.update_tracking(action, moderator, tracking.TrackingInput("done", action.carrier_id))
    db.session.commit()
    check_followers_told(merged, news(outbox, before))


def test_nobody_who_opted_out_or_erased_their_account_is_written_to(merged, moderator, outbox):
    before = len(outbox())
    services.decide(merged["kept"], moderator, ProposalStatus.NOT_RETAINED, "Pas cette fois")
    db.session.commit()
    written = set(news(outbox, before))
    for name in ("author_quiet", "supporter_quiet", "supporter_of_kept"):
        assert merged[name].email not in written, name
    # Erased accounts have no address any more: nobody else than those expected was written to.
    expected = {merged[name].email for name in FOLLOWERS} | {merged["kept_author"].email}
    assert written - expected == set()


def page(client, proposal) -> str:
    response = client.get(f"/rounds/{proposal.round.slug}/proposals/{proposal.number}", headers=EN)
    assert response.status_code == 200
    return unescape(response.text)


def joined(html: str) -> str:
    return html.split('id="joined"')[1].split("</div>")[0]


def test_the_merged_proposals_page_shows_what_becomes_of_the_one_it_joined(
    client, merged, moderator
):
    kept, duplicate, early = merged["kept"], merged["duplicate"], merged["early"]
    block = joined(page(client, duplicate))
    assert f'href="/rounds/{kept.round.slug}/proposals/{kept.number}"' in block
    assert kept.title in block and "Published" in block

    services.decide(kept, moderator, ProposalStatus.RETAINED, ANSWER)
    db.session.commit()
    block = joined(page(client, duplicate))
    assert "Retained" in block and ANSWER in block

    session = promotion.create_council_session(moderator, date(2027, 3, 1), "Conseil", None)
    deliberation = promotion.promote(
        [kept],
        moderator,
        promotion.DeliberationInput(session.id, 7, kept.pillar_id, "Un banc à l'ombre partout"),
    )
    tracking.add_progress_note(
        deliberation.action, moderator, date(2027, 6, 1), "Les premiers bancs sont posés"
    )
    tracking.update_tracking(
        deliberation.action,
        moderator,
        tracking.TrackingInput("in_progress", deliberation.action.carrier_id),
    )
    db.session.commit()
    # Through a merge of merges too: the proposal at the end of the chain.
    for merged_page in (page(client, duplicate), page(client, early)):
        block = joined(merged_page)
        assert f'href="/rounds/{kept.round.slug}/proposals/{kept.number}"' in block
        assert "Became a framework deliberation" in block
        assert f'href="/deliberations/{deliberation.id}"' in block
        assert "No. 2027-03-01/7" in block and "Un banc à l'ombre partout" in block
        assert "In progress" in block and "Les premiers bancs sont posés" in block
        assert '<time datetime="2027-06-01">' in block
    assert f"It first joined {duplicate.code}, which was merged in turn." in joined(
        page(client, early)
    )


def test_a_hidden_final_proposal_is_not_shown_from_the_merged_one(client, merged, moderator):
    kept, duplicate = merged["kept"], merged["duplicate"]
    reports.hide(kept, moderator, "Propos injurieux")
    db.session.commit()
    block = joined(page(client, duplicate))
    assert "which is no longer public" in block
    assert kept.title not in block and f"/proposals/{kept.number}" not in block


def test_the_joined_proposal_is_found_in_the_same_few_queries_whatever_the_chain(
    create_proposal, moderator, count_queries
):
    first = create_proposal()
    chain = [first]
    for _ in range(4):
        newer = create_proposal(round=first.round)
        services.merge(newer, [chain[-1]], moderator)
        db.session.commit()
        chain.append(newer)
    db.session.expire_all()
    assert [p.merged_into_id for p in chain[:-1]] == [p.id for p in chain[1:]]
    with count_queries() as short:
        assert final_proposal(chain[-2]).proposal.id == chain[-1].id
    with count_queries() as long:
        found = final_proposal(chain[0])
    assert (found.proposal.id, found.steps) == (chain[-1].id, 4)
    assert short.count == long.count <= 2
    assert final_proposal(chain[-1]) is None
