"""Merging a duplicate moves its supports to the kept proposal: nobody counted twice, and its
author never made a supporter of their own proposal."""

from sqlalchemy import select

from participation.extensions import db
from participation.models import Proposal, Support
from participation.moderation.services import merge
from participation.proposals.supports import support, supported_ids


def supporters(proposal) -> list[int]:
    return sorted(
        db.session.scalars(select(Support.user_id).where(Support.proposal_id == proposal.id))
    )


def test_the_kept_proposals_author_does_not_come_to_support_it(
    create_round, create_pillar, create_proposal, create_user
):
    round_ = create_round(pillars=[create_pillar()])
    kept = create_proposal(round=round_, title="Des abris à vélos à la gare")
    duplicate = create_proposal(round=round_, title="Abris vélos près de la gare")
    both, only_duplicate = create_user(), create_user()
    # The kept proposal's author had supported the duplicate, before anyone saw they were alike.
    support(duplicate, kept.author)
    support(duplicate, both)
    support(kept, both)
    support(duplicate, only_duplicate)
    db.session.commit()

    merge(kept, [duplicate], create_user(role="moderator"), "Même idée")
    db.session.commit()
    db.session.expire_all()

    kept, duplicate = db.session.get(Proposal, kept.id), db.session.get(Proposal, duplicate.id)
    assert kept.author_id not in supporters(kept)
    assert supported_ids(kept.author, [kept.id]) == set()
    assert supporters(kept) == sorted([both.id, only_duplicate.id])
    assert kept.support_count == 2  # exact: the author left out, the double supporter once
    assert duplicate.status == "merged" and duplicate.merged_into_id == kept.id
    assert duplicate.support_count == 0 and supporters(duplicate) == []
    moved = db.session.scalar(select(Support).where(Support.user_id == only_duplicate.id))
    assert (moved.proposal_id, moved.merged_from_id) == (kept.id, duplicate.id)


def test_the_kept_proposals_page_does_not_tell_its_author_they_support_it(
    client, sign_in, create_round, create_pillar, create_proposal, create_user
):
    round_ = create_round(pillars=[create_pillar()])
    kept = create_proposal(round=round_)
    duplicate = create_proposal(round=round_)
    support(duplicate, kept.author)
    db.session.commit()
    merge(kept, [duplicate], create_user(role="moderator"))
    db.session.commit()

    sign_in(kept.author)
    page = client.get(f"/rounds/{round_.slug}/proposals/{kept.number}").text
    assert "You support this proposal" not in page and "unsupport" not in page
    assert "0 online supports" in page
