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


def test_the_partial_indexes_of_visible_proposals_cover_every_public_status(app):
    """The lists read their pages from partial indexes on what the public sees; an index whose
    predicate names other statuses than ``Proposal.is_visible`` is never used by the planner, and
    the drift test does not compare predicates."""
    from sqlalchemy import inspect as inspect_database

    from participation.proposals.state import PUBLIC_STATUSES

    if db.engine.dialect.name == "postgresql":
        rows = db.session.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE tablename = 'proposals' AND indexname LIKE 'ix_proposals_visible%'"
            )
        ).all()
    else:
        rows = db.session.execute(
            text(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND name LIKE 'ix_proposals_visible%'"
            )
        ).all()
    assert len(rows) >= 5, inspect_database(db.engine).get_indexes("proposals")
    statuses = {status.value for status in PUBLIC_STATUSES}
    for name, definition in rows:
        named = set(re.findall(r"'([a-z_]+)'", definition))
        assert named == statuses, (name, named ^ statuses)
