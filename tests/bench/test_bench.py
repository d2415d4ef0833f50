"""The benchmark's generator and its app. The benchmark itself is not a test: these check that
it measures what it says it measures."""

import random
import statistics

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from participation import create_app
from participation.bench.app import BARE_PATH, create_bench_app
from participation.bench.generate import (
    BUSIEST_COMMENTS,
    MEASURED_ROUND,
    ROUNDS,
    Plan,
    generate,
    inventory,
    long_tail,
)
from participation.bench.run import beside_scale, failures, markdown, pages, turns_summary
from participation.extensions import db
from participation.history.sample import load_sample_content
from participation.history.services import import_smart_days_2018
from participation.models import Comment, PaperSupport, Proposal, Round, Support
from tests.conftest import make_config

# The smallest scale: 100 users, 30 proposals, 500 supports, 1,100 comments, 5 reports.
SCALE = 0.0002


def test_the_generator_makes_what_the_scale_asks_for(app):
    import_smart_days_2018()
    load_sample_content()
    db.session.commit()
    before = inventory(db)
    plan = Plan.at(SCALE)

    made = generate(db, SCALE)
    after = inventory(db)

    added = {key: after[key] - before[key] for key in after if key != "proposals_by_round"}
    assert added == {
        "users": plan.users + 1,  # and the moderator whose home is measured
        "proposals": plan.proposals,
        "supports": plan.supports,
        "paper_supports": made["paper_supports"],
        "comments": plan.comments,
        "reports": plan.reports,
        "workshops": plan.workshops_per_round * len(ROUNDS),
    }
    assert made["paper_supports"] > 0
    # Several rounds; the measured one, open, holds the largest share.
    by_round = after["proposals_by_round"]
    assert set(by_round) >= {shape.slug for shape in ROUNDS}
    added_to_measured = by_round[MEASURED_ROUND] - before["proposals_by_round"][MEASURED_ROUND]
    assert added_to_measured == round(plan.proposals * ROUNDS[0].share)


def test_counters_equal_the_rows_they_count(app):
    generate(db, SCALE)

    supports = select(func.count(Support.id)).where(Support.proposal_id == Proposal.id)
    published = select(func.count(Comment.id)).where(
        Comment.proposal_id == Proposal.id, Comment.is_published
    )
    stickers = select(func.coalesce(func.sum(PaperSupport.count), 0)).where(
        PaperSupport.proposal_id == Proposal.id
    )
    wrong = select(func.count(Proposal.id)).where(
        (Proposal.support_count != supports.scalar_subquery())
        | (Proposal.comment_count != published.scalar_subquery())
        | (Proposal.paper_support_count != stickers.scalar_subquery())
    )
    assert db.session.scalar(wrong) == 0
    reply = aliased(Comment)
    published_replies = (
        select(func.count(reply.id))
        .where(reply.parent_id == Comment.id, reply.is_published)
        .scalar_subquery()
    )
    assert (
        db.session.scalar(
            select(func.count(Comment.id)).where(Comment.reply_count != published_replies)
        )
        == 0
    )


def test_one_proposal_has_1000_comments_and_the_others_a_long_tail(app):
    made = generate(db, SCALE)

    round_id = db.session.scalar(select(Round.id).where(Round.slug == MEASURED_ROUND))
    busiest = db.session.scalar(
        select(Proposal).where(
            Proposal.round_id == round_id, Proposal.number == made["busiest_number"]
        )
    )
    assert busiest.is_visible
    comments = db.session.scalar(
        select(func.count(Comment.id)).where(Comment.proposal_id == busiest.id)
    )
    assert comments == BUSIEST_COMMENTS
    others = db.session.scalars(
        select(func.count(Comment.id))
        .where(Comment.proposal_id != busiest.id)
        .group_by(Comment.proposal_id)
    ).all()
    assert max(others) < BUSIEST_COMMENTS
    counts = sorted(db.session.scalars(select(Proposal.support_count)), reverse=True)
    assert counts[0] >= 5 * statistics.median(c for c in counts if c)


def test_titles_and_bodies_are_varied_french(app):
    generate(db, SCALE)

    rows = db.session.execute(
        select(Proposal.title, Proposal.body, Proposal.body_html).where(
            Proposal.is_sample.is_(False)
        )
    ).all()
    titles = {title for title, _, _ in rows}
    assert len(titles) > len(rows) * 0.8
    words = {word for _, body, _ in rows for word in body.lower().split()}
    assert len(words) > 300
    assert any("é" in title for title in titles)
    assert all(html.startswith("<p>") for _, _, html in rows)


def test_long_tail_splits_exactly_within_the_cap():
    counts = long_tail(1_000, 40, random.Random(1), cap=100)

    assert sum(counts) == 1_000
    assert max(counts) == 100
    assert min(counts) < 10


def test_the_bare_route_exists_only_in_the_bench_app(database_url, tmp_path):
    config = make_config(database_url, tmp_path)
    bench = create_bench_app(config).test_client().get(BARE_PATH)
    real = create_app(config).test_client().get(BARE_PATH)

    assert (bench.status_code, bench.text) == (200, "ok")
    assert real.status_code == 404


def test_a_page_that_answers_anything_but_200_fails_the_run():
    def report(statuses, status=200, errors=0):
        run = {"connections": 8, "requests": sum(statuses.values()), "statuses": statuses}
        return {"pages": [{"page": "home", "status": status, "runs": [{**run, "errors": errors}]}]}

    assert failures(report({200: 50})) == []
    assert failures(report({200: 49, 302: 1}))
    assert failures(report({200: 50}, status=500))
    assert failures(report({200: 50}, errors=1))
    assert failures(report({}))


def test_pages_in_turns_are_compared_over_all_their_turns():
    def run(requests, seconds, statuses=None):
        return {
            "requests": requests,
            "seconds": seconds,
            "statuses": statuses or {200: requests},
            "errors": 0,
        }

    # The visitor's page: 300 requests in 2 s; the signed-in page: 100 in 1.0 s, then 100 in
    # 1.0 s while the machine was busier. The ratio is of the sums, not of each turn.
    pair = turns_summary(8, [run(200, 1.0), run(100, 1.0)], [run(60, 1.0), run(40, 1.0)])

    assert pair["turns"] == 2
    assert pair["beside_requests_per_s"] == 150.0
    assert pair["requests_per_s"] == 50.0
    assert pair["ratio"] == 3.0
    assert pair["requests"] == 100
    assert failures({"pages": [], "pairs": [{"page": "p", "beside": "b", **pair}]}) == []

    refused = turns_summary(8, [run(10, 1.0)], [run(10, 1.0, {200: 9, 403: 1})])
    assert failures({"pages": [], "pairs": [{"page": "p", "beside": "b", **refused}]})
    silent = turns_summary(8, [run(10, 1.0)], [run(0, 1.0)])
    assert silent["ratio"] is None
    assert failures({"pages": [], "pairs": [{"page": "p", "beside": "b", **silent}]})


def test_each_signed_in_page_is_measured_beside_a_visitors_page(app):
    generate(db, SCALE)
    measured = pages(db)
    names = {page.name: page for page in measured}
    signed_in = [page for page in measured if page.as_person == "resident"]

    assert signed_in
    for page in signed_in:
        beside = names[page.beside]
        # The same address, asked by a visitor.
        assert (beside.url, beside.as_person, beside.through_nginx) == (page.url, None, False)


def test_each_page_is_compared_with_the_same_page_at_the_other_scale(app, tmp_path):
    """The other scale's pages are found in its own database (its busiest proposal, its
    pillar…), under the same names, without the pages asked through nginx; its people's
    sessions are opened there, not here."""
    from flask_migrate import upgrade

    from participation.accounts import sessions
    from participation.models import User

    generate(db, SCALE)
    db.session.commit()
    here = {page.name: page for page in pages(db)}
    other_url = f"sqlite:///{tmp_path / 'other-scale.sqlite3'}"
    other = create_bench_app(make_config(other_url, tmp_path))
    with other.app_context():
        upgrade()
        generate(db, SCALE * 5)
        db.session.commit()
        expected = {page.name: page.url for page in pages(db) if not page.through_nginx}
        users_there = db.session.scalar(select(func.count(User.id)))
        db.session.remove()

    there = beside_scale(other_url)

    assert {page.name: page.url for page in there.pages} == expected
    assert set(expected) == {name for name, page in here.items() if not page.through_nginx}
    assert {page.as_person for page in there.pages} == {None, "moderator", "resident"}
    assert there.data["users"] == users_there != db.session.scalar(select(func.count(User.id)))
    assert there.database == other_url
    tokens = [session["_user_id"] for session in there.sessions.values()]
    assert len(tokens) == 2
    with other.app_context():
        assert all(sessions.current(token) is not None for token in tokens)
        db.session.remove()
    assert all(sessions.current(token) is None for token in tokens)


def test_the_other_scale_s_turns_are_reported_and_checked():
    def run(requests, statuses=None):
        return {"requests": requests, "seconds": 1.0, "statuses": statuses or {200: requests}}

    def report(pair):
        counts = {"wrk": {"connections": [8]}, "pages": [], "pairs": []}
        return {**counts, "beside_scale": {"data": {}, "pairs": [{"page": "home", **pair}]}}

    # Here 100 requests a second, at the other scale 150: 1.5 times its time.
    slower = turns_summary(8, [{**run(150), "errors": 0}], [{**run(100), "errors": 0}])
    assert slower["ratio"] == 1.5
    assert failures(report(slower)) == []
    assert "| home | 100 / 150 | 1.5 |" in markdown(report(slower))

    refused = turns_summary(
        8, [{**run(10), "errors": 0}], [{**run(10, {200: 9, 500: 1}), "errors": 0}]
    )
    assert failures(report(refused)) == [
        "home in turns with the other scale at 8 connections: statuses {200: 19, 500: 1}, "
        "0 socket errors"
    ]
