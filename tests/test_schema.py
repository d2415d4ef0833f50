"""The migrations and the models describe the same schema."""

import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from participation.extensions import db
from participation.search.index import include_object


# SQLite cannot reflect an index on an expression (``search.index.UNREFLECTED``).
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index"
)
def test_models_and_migrations_do_not_drift(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_object": include_object,
            },
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"Models and migrations differ; run `flask db migrate`: {diff}"


def test_every_model_table_exists(app):
    from sqlalchemy import inspect

    existing = set(inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= existing


def _partial_indexes(prefix: str, table: str = "proposals") -> list[tuple[str, str]]:
    if db.engine.dialect.name == "postgresql":
        query = (
            "SELECT indexname, indexdef FROM pg_indexes "
            f"WHERE tablename = '{table}' AND indexname LIKE '{prefix}%'"
        )
    else:
        query = (
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE '{prefix}%'"
        )
    return db.session.execute(text(query)).all()


def _statuses_named(definition: str) -> set[str]:
    return set(re.findall(r"'([a-z_]+)'", definition))


def test_the_partial_indexes_of_visible_proposals_cover_every_public_status(app):
    """The lists read their pages from partial indexes on what the public sees; an index whose
    predicate names other statuses than ``Proposal.is_visible`` is never used by the planner, and
    the drift test does not compare predicates."""
    from participation.proposals.state import PUBLIC_STATUSES

    rows = _partial_indexes("ix_proposals_visible")
    assert len(rows) >= 5
    statuses = {status.value for status in PUBLIC_STATUSES}
    for name, definition in rows:
        named = _statuses_named(definition)
        assert named == statuses, (name, named ^ statuses)


def test_a_rounds_search_reads_the_round_and_the_words_from_one_gin_index(app):
    """Written by a migration (PostgreSQL): a search in a round's list counts its matches from
    the words of the round's visible proposals alone (btree_gin puts the round beside them);
    its statuses are checked above with the other indexes of what the public sees."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite searches its FTS5 table")
    ((name, definition),) = _partial_indexes("ix_proposals_visible_round_search")
    assert "USING gin (round_id, search_vector)" in definition, definition


def test_the_partial_indexes_of_the_moderation_queues_name_the_state_machines_statuses(app):
    """The moderator's home reads what waits from partial indexes: written by a migration, their
    statuses must be those the state machine says wait for publication or for a decision."""
    from participation.proposals.state import AWAITING_DECISION, ProposalStatus, sources_of

    waiting = {
        "ix_proposals_to_publish": {s.value for s in sources_of(ProposalStatus.PUBLISHED)},
        "ix_proposals_to_decide_supports": {s.value for s in AWAITING_DECISION},
        "ix_proposals_to_decide_pillar": {s.value for s in AWAITING_DECISION},
    }
    rows = dict(_partial_indexes("ix_proposals_to_"))
    assert set(rows) == set(waiting)
    for name, statuses in waiting.items():
        assert _statuses_named(rows[name]) == statuses, name


def test_the_partial_indexes_of_the_reports_queue_name_open_reports_and_the_platforms_reason(app):
    """Written by a migration: open reports are those not resolved, and what the reports hid
    carries the reason the platform writes (``moderation.rules.HIDDEN_BY_REPORTS``)."""
    from participation.moderation.rules import HIDDEN_BY_REPORTS

    open_reports = dict(_partial_indexes("ix_reports_open", table="reports"))
    assert len(open_reports) == 3
    for name, definition in open_reports.items():
        assert re.search(r"resolved_at IS NULL", definition, re.IGNORECASE), name
    for table in ("proposals", "comments"):
        ((name, definition),) = _partial_indexes(f"ix_{table}_hidden_by_reports", table=table)
        assert _statuses_named(definition) == {HIDDEN_BY_REPORTS}, name
