"""What waits for moderators, asked of the queues without a request: counts, oldest dates, order,
filters, and the reports on proposals and on comments counted once each."""

from datetime import timedelta

from participation.extensions import db
from participation.models import utcnow
from participation.moderation import queues
from participation.moderation.reports import HIDDEN_BY_REPORTS

EVERYWHERE = queues.QueueFilters()


def test_open_reports_group_by_item_oldest_first_with_totals_and_filters(
    app, create_user, create_round, create_pillar, create_proposal, create_comment, create_report
):
    first, second = create_round(title="Première"), create_round(title="Seconde")
    culture = create_pillar()
    reported = create_proposal(round=first, title="Un parking géant")
    hidden = create_proposal(round=first, title="Un texte injurieux")
    hidden.hidden_at, hidden.hidden_reason = utcnow(), HIDDEN_BY_REPORTS
    elsewhere = create_proposal(round=second, title="Ailleurs")
    db.session.commit()
    comment = create_comment(create_proposal(round=first, pillar=culture, title="Commentée"))
    a, b, c, d = create_user(), create_user(), create_user(), create_user()

    def report(reporter, item, days_ago, reason="Hors sujet", **fields):
        target = "comment" if item is comment else "proposal"
        created_at = utcnow() - timedelta(days=days_ago)
        create_report(reporter, reason=reason, created_at=created_at, **{target: item}, **fields)

    report(a, reported, 3)
    report(b, reported, 1, "Doublon")
    report(a, hidden, 5)
    report(b, comment, 4)
    report(c, comment, 2)
    report(a, elsewhere, 9)
    report(c, reported, 0, "Vu", resolved_at=utcnow())
    # Resolved before the others came: the comment's first open report is the one of 4 days ago.
    report(d, comment, 8, "Réglé", resolved_at=utcnow())

    waiting = queues.open_reports(EVERYWHERE)
    assert (waiting.count, waiting.hidden_automatically) == (4, 1)
    assert [r.item for r in waiting.items] == [elsewhere, hidden, comment, reported]
    assert abs(waiting.oldest - (utcnow() - timedelta(days=9))) < timedelta(minutes=1)
    by_item = {r.item: r for r in waiting.items}
    assert (by_item[comment].count, by_item[comment].is_comment) == (2, True)
    assert abs(by_item[comment].first_at - (utcnow() - timedelta(days=4))) < timedelta(minutes=1)
    assert by_item[comment].proposal == comment.proposal
    assert by_item[reported].reasons == ["Hors sujet", "Doublon"]
    assert by_item[hidden].hidden_automatically

    in_first = queues.open_reports(queues.QueueFilters(round_id=first.id))
    assert [r.item for r in in_first.items] == [hidden, comment, reported]
    assert in_first.count == 3
    limited = queues.open_reports(EVERYWHERE, limit=2)
    assert (limited.count, len(limited.items)) == (4, 2)
    # A comment's report is filtered by its proposal's pillar.
    in_culture = queues.open_reports(queues.QueueFilters(pillar_id=culture.id))
    assert [r.item for r in in_culture.items] == [comment] and in_culture.count == 1
    nothing = queues.open_reports(queues.QueueFilters(pillar_id=create_pillar().id))
    assert (nothing.count, nothing.oldest, nothing.items, nothing.hidden_automatically) == (
        0,
        None,
        [],
        0,
    )


def test_proposals_to_decide_most_supported_first_and_counted_by_pillar(
    app, create_round, create_pillar, create_proposal
):
    mobility, housing = create_pillar(), create_pillar()
    round_ = create_round(pillars=[mobility, housing])
    low = create_proposal(round=round_, pillar=mobility, support_count=2)
    high = create_proposal(round=round_, pillar=housing, support_count=3, paper_support_count=4)
    studied = create_proposal(round=round_, pillar=mobility, status="under_study", support_count=5)
    create_proposal(round=round_, pillar=mobility, status="retained", support_count=50)
    create_proposal(round=round_, pillar=mobility, status="submitted", support_count=0)

    waiting = queues.awaiting_decision(EVERYWHERE)
    assert waiting.items == [high, studied, low] and waiting.count == 3
    backlog = {b.pillar: b.count for b in waiting.by_pillar}
    assert backlog == {mobility: 2, housing: 1}
    assert waiting.oldest == min(p.published_at for p in (high, studied, low))
    assert queues.awaiting_decision(queues.QueueFilters(pillar_id=mobility.id)).items == [
        studied,
        low,
    ]
    assert queues.awaiting_publication(EVERYWHERE).count == 1


def test_likely_duplicates_pair_titles_sharing_subject_words_within_a_round(
    app, create_round, create_proposal
):
    round_, other = create_round(title="Première"), create_round(title="Seconde")
    older = create_proposal(round=round_, title="Navette électrique vers la gare")
    newer = create_proposal(round=round_, title="Une navette électrique pour la gare")
    create_proposal(round=round_, title="Des bancs au jardin public")
    create_proposal(round=other, title="Navette électrique jusqu'à la gare")
    db.session.commit()

    pairs = queues.likely_duplicates(queues.QueueFilters(round_id=round_.id))
    assert [(p.first, p.second) for p in pairs] == [(older, newer)]
    assert {"navet", "electr"} <= set(pairs[0].shared)
    assert pairs[0].first.pillar is not None  # loaded whole, for the page
