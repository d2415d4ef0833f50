"""The pages that must not slow down as the data grows read their rows from an index, in its
order, rather than sorting everything they match: asked of PostgreSQL's planner with sequential
scans and sorts priced out, a query that still sorts has no index to read it from."""

import re

import pytest
from psycopg import sql
from sqlalchemy import event, text

from participation.comments.services import comment_thread
from participation.extensions import db
from participation.moderation import queues


@pytest.fixture
def planner(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("query plans are PostgreSQL's (TEST_DATABASE_URL)")

    def plans(call, generic: bool = False) -> list[tuple[str, str]]:
        """Each query ``call`` sends, with the plan PostgreSQL would choose for it: with its
        parameters' values, or (``generic``) the plan it chooses for a statement prepared five
        times, without them, as psycopg prepares every statement a connection sends often."""
        sent = []

        def keep(_conn, _cursor, statement, parameters, _context, _many):
            sent.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            call()
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        connection = db.session.connection()
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        found = []
        for number, (statement, parameters) in enumerate(sent):
            if generic:
                cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
                names = re.findall(r"%\((\w+)\)s", statement)
                pieces = re.split(r"%\(\w+\)s", statement)
                prepared = pieces[0] + "".join(
                    f"${n}{piece}" for n, piece in enumerate(pieces[1:], start=1)
                )
                prepared = prepared.replace("%%", "%")  # sent without parameters: as written
                cursor.execute(f"PREPARE planned_{number} AS {prepared}")
                values = sql.SQL(", ").join(sql.Literal(parameters[n]) for n in names)
                arguments = sql.SQL("({})").format(values) if names else sql.SQL("")
                cursor.execute(
                    sql.SQL("EXPLAIN EXECUTE {}{}").format(
                        sql.Identifier(f"planned_{number}"), arguments
                    )
                )
                plan = "\n".join(row[0] for row in cursor.fetchall())
                cursor.execute(f"DEALLOCATE planned_{number}")
            else:
                cursor.execute("EXPLAIN " + statement, parameters)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            found.append((statement, plan))
        db.session.rollback()
        return found

    return plans


def only(plans, *words) -> str:
    (plan,) = [plan for statement, plan in plans if all(w in statement for w in words)]
    return plan


def test_a_page_of_comments_is_read_in_order_from_the_threads_index(planner, create_proposal):
    """The page's ids are read in their order from the threads' index, without sorting the
    proposal's comments; only the page's rows and their replies are sorted together."""
    proposal = create_proposal()
    plans = planner(lambda: comment_thread(proposal, 1, None))
    plan = only(plans, "WITH page AS", "UNION ALL")
    lines = plan.splitlines()
    start = next(n for n, line in enumerate(lines) if "CTE page" in line)
    depth = len(lines[start]) - len(lines[start].lstrip())
    page = [lines[start]]
    for line in lines[start + 1 :]:
        if len(line) - len(line.lstrip()) <= depth:
            break
        page.append(line)
    page = "\n".join(page)
    assert "ix_comments_proposal_threads" in page and "Sort" not in page, plan
    assert "ix_comments_parent_id" in plan, plan


def test_the_moderation_queues_read_what_waits_from_their_indexes(planner, create_proposal):
    create_proposal(status="submitted")
    everywhere = queues.QueueFilters()

    to_decide = planner(lambda: queues.awaiting_decision(everywhere))
    first = only(to_decide, "LIMIT")
    assert "ix_proposals_to_decide_supports" in first and "Sort" not in first, first
    # Counted, pillar by pillar, from either partial index (the planner weighs them), never
    # from the table.
    counted = only(to_decide, "count(")
    assert "ix_proposals_to_decide" in counted and "Seq Scan" not in counted, counted

    by_pillar = only(planner(lambda: queues.decisions_by_pillar(everywhere)), "GROUP BY")
    assert "ix_proposals_to_decide" in by_pillar and "Seq Scan" not in by_pillar, by_pillar

    to_publish = only(planner(lambda: queues.awaiting_publication(everywhere)), "LIMIT")
    assert "ix_proposals_to_publish" in to_publish and "Sort" not in to_publish, to_publish


def test_the_reports_queue_reads_its_first_page_and_what_was_hidden_from_indexes(
    planner, create_proposal
):
    create_proposal()
    plans = planner(lambda: queues.open_reports(queues.QueueFilters()))
    first = only(plans, "LIMIT")
    # In the order of the open reports, each checked against the item's earlier open reports.
    assert "ix_reports_open " in first and "Sort" not in first, first
    assert "Seq Scan" not in first, first
    counts = only(plans, "count(")
    for index in ("ix_proposals_hidden_by_reports", "ix_comments_hidden_by_reports"):
        assert index in counts, counts
    assert "Seq Scan on comments" not in counts and "Seq Scan on proposals" not in counts, counts


@pytest.mark.parametrize("descending", [False, True])
def test_a_page_of_the_random_order_reads_its_two_parts_from_their_index(
    planner, create_proposal, descending
):
    """Each part of the random order is read from the index of the keys, up or down, only as
    far as the page reaches (a limit over each): what is sorted is the page's few ids."""
    from participation.proposals.services import ProposalFilters, Shuffle, browse_page

    seed = next(seed for seed in range(1, 100) if Shuffle.of(seed).descending == descending)
    round_ = create_proposal().round
    plans = planner(lambda: browse_page(round_, ProposalFilters(sort="random", seed=seed), 3, 20))
    page = only(plans, "FROM proposals", "shuffle_key")
    assert page.count("ix_proposals_visible_shuffle") == 2, page
    assert page.count("Limit") >= 3 and "Seq Scan" not in page, page
    if descending:
        assert page.count("Index Only Scan Backward") == 2, page


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("supports", "ix_proposals_visible_supports"),
        ("newest", "ix_proposals_visible_newest"),
        ("comments", "ix_proposals_visible_comments"),
    ],
)
def test_a_deep_page_of_a_list_picks_its_ids_from_the_orders_index_alone(
    planner, create_proposal, sort, index
):
    """The ids a page passes over are read from the order's index alone, not from their rows;
    the page's rows are then read by primary key."""
    from participation.proposals.services import ProposalFilters, browse_page

    round_ = create_proposal().round
    plans = planner(lambda: browse_page(round_, ProposalFilters(sort=sort), 50, 20))
    page = only(plans, "FROM proposals", "OFFSET")
    assert f"Index Only Scan using {index}" in page and "Sort" not in page, page


@pytest.mark.parametrize("filters", [{}, {"sort": "newest"}, {"search": "vélo"}])
def test_a_lists_generic_plan_reads_the_partial_indexes_of_what_the_public_sees(
    planner, create_proposal, filters
):
    """PostgreSQL plans a statement prepared five times without its parameters' values: a
    partial index serves that plan only if the statement's own text implies its condition. The
    public statuses are written into the statement (``Proposal.is_visible``); sent as
    parameters, a search in a list read every entry of the round's index instead (18,000 at
    Madrid's scale, for its own index's 765). Which partial index serves is the planner's
    choice, weighed on the data (a test's round has a proposal or two)."""
    from participation.proposals.services import ProposalFilters, browse_page

    round_ = create_proposal(title="Un garage à vélos").round
    plans = planner(lambda: browse_page(round_, ProposalFilters(**filters), 1, 20), generic=True)
    (page,) = [plan for statement, plan in plans if " JOIN (SELECT" in statement]
    counted = only(plans, "count(*)")
    for plan in (page, counted):
        assert "ix_proposals_visible_" in plan, plan


def test_the_moderation_queues_generic_plans_read_their_partial_indexes(planner, create_proposal):
    """As a list's (above): their statuses are written into their statements."""
    create_proposal(status="submitted")
    everywhere = queues.QueueFilters()
    for call, index in (
        (lambda: queues.awaiting_decision(everywhere), "ix_proposals_to_decide"),
        (lambda: queues.awaiting_publication(everywhere), "ix_proposals_to_publish"),
    ):
        plans = planner(call, generic=True)
        first = only(plans, "LIMIT")
        assert index in first, first


def test_the_apis_page_writes_its_limit_into_its_statement(planner, create_proposal):
    """A generic plan guesses an unknown limit at a tenth of the rows: PostgreSQL found the
    API's list dearer so, and planned its six joins again at each request (4.5 ms). With the
    limit written in, its generic plan reads a page from the partial index (a test's table is
    too small for the planner to weigh a parallel plan)."""
    from participation.api import services

    round_ = create_proposal().round
    plans = planner(lambda: services.proposals_page(round=round_.slug, limit=20), generic=True)
    statement, plan = plans[0]
    assert "LIMIT 21" in statement, statement
    assert "ix_proposals_visible_" in plan, plan


def test_a_requests_statements_start_no_parallel_workers(planner):
    """Starting a worker took 4 ms, more than any statement of a page (``database.py``): the
    app's connections are set so as they open."""
    assert db.session.execute(text("SHOW max_parallel_workers_per_gather")).scalar() == "0"


@pytest.mark.parametrize("filters", [{}, {"search": "vélo"}, {"sort": "random", "seed": 7}])
def test_a_lists_page_writes_its_limit_and_offset_into_its_statement(
    planner, create_proposal, filters
):
    """As the API's (``database.written_number``): the list's page of ids was planned again at
    each request, 1.0 ms of SQL at full scale, 0.4 with them written in."""
    from participation.proposals.services import ProposalFilters, browse_page

    round_ = create_proposal(title="Un garage à vélos").round
    plans = planner(lambda: browse_page(round_, ProposalFilters(**filters), 2, 20), generic=True)
    (statement,) = [statement for statement, _plan in plans if " JOIN (SELECT" in statement]
    # The random order reads each of its two parts up to the page's end (limit + offset).
    written = "LIMIT 20 + 20" if "random" in filters.values() else "LIMIT 20 OFFSET 20"
    assert written in statement, statement
    # A search's page past the last shows no match to count on: they are counted apart.
    (counted,) = [statement for statement, _plan in plans if statement.startswith("SELECT count")]
    assert "LIMIT 1001" in counted, counted
