"""The masterplan, its printable page, a carrier's page, the deliberations' list, a deliberation
and the downloads make a fixed number of SQL queries, whether the city has 10 actions or 500."""

from datetime import date

import pytest
from sqlalchemy import insert

from participation.extensions import db
from participation.models import (
    Action,
    Carrier,
    CouncilSession,
    Deliberation,
    MasterplanStatus,
    ProgressNote,
    Proposal,
)

# page count, page rows, latest notes, status counts, counts by pillar and status, the pillars
# of those counts, the pillars of the filter, the carriers, the last update (actions, notes)
MASTERPLAN_QUERIES = 10
PRINT_QUERIES = 5  # rows, latest notes, counts, last update (actions, notes)
CARRIER_QUERIES = 2  # the carrier, its actions
DIRECTORY_QUERIES = 1  # carriers with their counts
LIST_QUERIES = 2  # pillars, deliberations with their sessions and actions
DETAIL_QUERIES = 4  # the deliberation with session, pillar, action and carrier; proposals; notes
CSV_QUERIES = 3  # rows, then per batch of 500: latest notes, proposal codes
STATUSES = [s.value for s in MasterplanStatus]
CARRIERS = [
    ("Ville de Béthune", "city"),
    ("Association Vélo Béthune", "association"),
    ("École Jules-Ferry", "school"),
    ("Entreprise Véloce", "company"),
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
    carriers = [
        Carrier(slug=f"porteur-{n}", name=name, kind=kind)
        for n, (name, kind) in enumerate(CARRIERS)
    ]
    db.session.add_all(carriers)
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
            }
            for i in range(start, total)
        ]
        ids = db.session.scalars(insert(Deliberation).returning(Deliberation.id), rows).all()
        # Each deliberation's action, and as many partner actions without a deliberation.
        actions = [
            {
                "title": f"Action n° {i}",
                "pillar_id": pillars[i % 3].id,
                "carrier_id": carriers[i % 4].id,
                "status": STATUSES[i % 3],
                "deliberation_id": ids[i - start] if i % 2 else None,
            }
            for i in range(start, total)
        ]
        action_ids = db.session.scalars(insert(Action).returning(Action.id), actions).all()
        db.session.execute(
            insert(ProgressNote),
            [
                {"action_id": a, "noted_on": date(2027, 1 + k, 1), "body": f"Étape {k}"}
                for a in action_ids[::2]
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
    assert db.session.scalar(db.select(db.func.count()).select_from(Action)) == 0
    same_queries_at_10_and_500(
        grow,
        assert_page_queries,
        [
            "/masterplan/",
            "/masterplan/?status=in_progress",
            "/masterplan/?kind=school&status=done",
        ],
        MASTERPLAN_QUERIES,
    )
    # Further pages too (with 10 actions there was a single page).
    assert assert_page_queries("/masterplan/?page=4", MASTERPLAN_QUERIES) <= MASTERPLAN_QUERIES


def test_masterplan_filtered_by_pillar_and_carrier(grow, assert_page_queries):
    grow(10)
    pillar = db.session.scalar(db.select(Action.pillar_id).limit(1))
    carrier = db.session.scalar(db.select(Action.carrier_id).limit(1))
    url = f"/masterplan/?pillar={pillar}&carrier={carrier}"
    few = assert_page_queries(url, MASTERPLAN_QUERIES)
    grow(500)
    assert assert_page_queries(url, MASTERPLAN_QUERIES) == few


def test_printable_carrier_and_directory_pages(grow, assert_page_queries):
    grow(10)
    slug = db.session.scalar(db.select(Carrier.slug).where(Carrier.kind == "school"))
    pages = {
        "/masterplan/print": PRINT_QUERIES,
        f"/masterplan/carriers/{slug}": CARRIER_QUERIES,
        "/masterplan/carriers/": DIRECTORY_QUERIES,
    }
    few = {url: assert_page_queries(url, n) for url, n in pages.items()}
    grow(500)
    assert {url: assert_page_queries(url, n) for url, n in pages.items()} == few


def test_list_by_session_and_pillar(grow, assert_page_queries):
    same_queries_at_10_and_500(grow, assert_page_queries, ["/deliberations/"], LIST_QUERIES)


def test_downloads(grow, assert_page_queries):
    # Rows go out in batches of 500, each with its notes and proposal codes: 10 and 500 rows
    # both fit in one batch.
    same_queries_at_10_and_500(
        grow,
        assert_page_queries,
        ["/deliberations.csv", "/masterplan/masterplan.csv?status=done"],
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
                ProgressNote(action=deliberation.action, noted_on=date(2027, 1, 1), body="Note")
            )
        db.session.commit()

    link(1)
    url = f"/deliberations/{deliberation.id}"
    few = assert_page_queries(url, DETAIL_QUERIES)
    link(40)
    assert assert_page_queries(url, DETAIL_QUERIES) == few
