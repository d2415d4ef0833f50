"""The masterplan, the list, a deliberation and the downloads make a fixed number of SQL queries,
whether the city has 10 actions or 500."""

from datetime import date

import pytest
from sqlalchemy import insert

from participation.extensions import db
from participation.models import (
    CouncilSession,
    Deliberation,
    MasterplanStatus,
    ProgressNote,
    Proposal,
)

MASTERPLAN_QUERIES = 6  # pillars, carriers, counts, page count, page rows, latest notes
LIST_QUERIES = 2  # pillars, deliberations with their sessions
DETAIL_QUERIES = 3  # the deliberation with session and pillar, its proposals, its notes
CSV_QUERIES = 3  # rows, then per batch of 500: latest notes, proposal codes
STATUSES = [s.value for s in MasterplanStatus]
CARRIERS = [
    "Ville de Béthune",
    "Association Vélo Béthune",
    "École Jules-Ferry",
    "Entreprise Véloce",
]


@pytest.fixture
def grow(create_pillar, create_proposal):
    """Bring the masterplan to ``total`` actions over two councils and three pillars, with
    progress notes and linked proposals, inserted in bulk."""
    pillars = [create_pillar(slug=f"pilier-{letter}") for letter in "abc"]
    seed = create_proposal(pillar=pillars[0])  # a round and an author for the bulk proposals
    sessions = [CouncilSession(held_on=date(2018, 12, 11), title="Conseil municipal")]
    sessions.append(CouncilSession(held_on=date(2027, 2, 1), title="Conseil municipal"))
    db.session.add_all(sessions)
    db.session.commit()
    made = [0]

    def to(total: int) -> None:
        start, made[0] = made[0], total
        rows = [
            {
                "council_session_id": sessions[i % 2].id,
                "number": 500_000 + i,
                "pillar_id": pillars[i % 3].id,
                "title": f"Action n° {i}",
                "body": "",
                "masterplan_status": STATUSES[i % 3],
                "carrier": CARRIERS[i % 4],
            }
            for i in range(start, total)
        ]
        ids = db.session.scalars(insert(Deliberation).returning(Deliberation.id), rows).all()
        db.session.execute(
            insert(ProgressNote),
            [
                {"deliberation_id": d, "noted_on": date(2027, 1 + k, 1), "body": f"Étape {k}"}
                for d in ids[::2]
                for k in range(2)
            ],
        )
        db.session.execute(
            insert(Proposal),
            [
                {
                    "round_id": seed.round_id,
                    "number": 100_000 + d,
                    "pillar_id": seed.pillar_id,
                    "author_id": seed.author_id,
                    "title": "Proposition promue",
                    "body": "Texte",
                    "body_html": "<p>Texte</p>",
                    "status": "promoted",
                    "deliberation_id": d,
                }
                for d in ids[::3]
            ],
        )
        db.session.commit()

    return to


def same_queries_at_10_and_500(grow, assert_page_queries, urls: list[str], expected: int):
    grow(10)
    few = {url: assert_page_queries(url, expected) for url in urls}
    grow(500)
    many = {url: assert_page_queries(url, expected) for url in urls}
    assert many == few


def test_masterplan(grow, assert_page_queries):
    assert db.session.scalar(db.select(db.func.count()).select_from(Deliberation)) == 0
    same_queries_at_10_and_500(
        grow,
        assert_page_queries,
        [
            "/deliberations/masterplan",
            "/deliberations/masterplan?status=in_progress",
            "/deliberations/masterplan?carrier=%C3%89cole+Jules-Ferry&status=done",
        ],
        MASTERPLAN_QUERIES,
    )
    # Further pages too (with 10 actions there was a single page).
    assert assert_page_queries("/deliberations/masterplan?page=4", MASTERPLAN_QUERIES) == (
        MASTERPLAN_QUERIES
    )


def test_masterplan_filtered_by_pillar(grow, assert_page_queries):
    grow(10)
    pillar = db.session.scalar(db.select(Deliberation.pillar_id).limit(1))
    url = f"/deliberations/masterplan?pillar={pillar}"
    few = assert_page_queries(url, MASTERPLAN_QUERIES)
    grow(500)
    assert assert_page_queries(url, MASTERPLAN_QUERIES) == few


def test_list_by_session_and_pillar(grow, assert_page_queries):
    same_queries_at_10_and_500(grow, assert_page_queries, ["/deliberations/"], LIST_QUERIES)


def test_downloads(grow, assert_page_queries):
    # Rows go out in batches of 500, each with its notes and proposal codes: 10 and 500 rows
    # both fit in one batch.
    same_queries_at_10_and_500(
        grow,
        assert_page_queries,
        ["/deliberations.csv", "/deliberations/masterplan.csv?status=done"],
        CSV_QUERIES,
    )


def test_deliberation_page_whatever_its_proposals_and_notes(
    create_deliberation, create_proposal, assert_page_queries
):
    deliberation = create_deliberation()
    seed = create_proposal()

    def link(count: int) -> None:
        for _ in range(count):
            proposal = create_proposal(round=seed.round, status="promoted")
            proposal.deliberation = deliberation
            db.session.add(
                ProgressNote(deliberation=deliberation, noted_on=date(2027, 1, 1), body="Note")
            )
        db.session.commit()

    link(1)
    url = f"/deliberations/{deliberation.id}"
    few = assert_page_queries(url, DETAIL_QUERIES)
    link(40)
    assert assert_page_queries(url, DETAIL_QUERIES) == few
