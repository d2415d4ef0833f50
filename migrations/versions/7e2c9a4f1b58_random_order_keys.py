"""the random order: a key each proposal draws once, read from a partial index in its order;
the most supported order's index holds the sum's terms (PostgreSQL reads a page's ids from it alone);
a search in a round's list finds its matches in one GIN index on the round and the words (PostgreSQL)

Revision ID: 7e2c9a4f1b58
Revises: b4d9e2f7a1c3
Create Date: 2026-11-30 23:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

from participation.search.index import ROUND_SEARCH, VECTOR


# revision identifiers, used by Alembic.
revision = '7e2c9a4f1b58'
down_revision = 'b4d9e2f7a1c3'
branch_labels = None
depends_on = None

VISIBLE = "status IN ('published', 'withdrawn', 'not_retained', 'under_study', 'merged', 'retained', 'promoted') AND hidden_at IS NULL"
# Below 2**31 - 1 (``models.proposal.SHUFFLE_KEYS``), drawn by the database for the proposals
# already there.
DRAWN = {
    "postgresql": "floor(random() * 2147483647)::integer",
    "sqlite": "abs(random() % 2147483647)",
}


def upgrade():
    # Not in a batch: on SQLite a batch that alters a column rebuilds the table, and the search
    # index's triggers and the expression indexes would not come back. SQLite adds a NOT NULL
    # column only with a constant default; every proposal is given its key right after. The
    # default stays on SQLite: a row inserted without the model's key (none is) would get 0.
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.add_column('proposals', sa.Column('shuffle_key', sa.Integer(), nullable=False, server_default="0"))
    else:
        op.add_column('proposals', sa.Column('shuffle_key', sa.Integer(), nullable=True))
    op.execute(f"UPDATE proposals SET shuffle_key = {DRAWN[dialect]}")
    if dialect != "sqlite":
        op.alter_column('proposals', 'shuffle_key', existing_type=sa.Integer(), nullable=False)
    op.create_index('ix_proposals_visible_shuffle', 'proposals', ['round_id', 'shuffle_key', 'id'], unique=False, postgresql_where=sa.text(VISIBLE), sqlite_where=sa.text(VISIBLE))
    if dialect == "postgresql":
        _supports_index(include=['support_count', 'paper_support_count'])
        # btree_gin: a GIN index on an integer column beside the stored words.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        op.execute(f"CREATE INDEX {ROUND_SEARCH} ON proposals USING gin (round_id, {VECTOR}) WHERE {VISIBLE}")


def _supports_index(include):
    """``ix_proposals_visible_supports`` again, with ``include`` (PostgreSQL's INCLUDE)."""
    op.drop_index('ix_proposals_visible_supports', table_name='proposals')
    op.create_index('ix_proposals_visible_supports', 'proposals', ['round_id', sa.literal_column('(support_count + paper_support_count) DESC'), sa.literal_column('id DESC')], unique=False, postgresql_where=sa.text(VISIBLE), postgresql_include=include)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        # btree_gin stays: it may have been there before, for something else.
        op.execute(f"DROP INDEX IF EXISTS {ROUND_SEARCH}")
        _supports_index(include=[])
    op.drop_index('ix_proposals_visible_shuffle', table_name='proposals', postgresql_where=sa.text(VISIBLE), sqlite_where=sa.text(VISIBLE))
    op.drop_column('proposals', 'shuffle_key')
