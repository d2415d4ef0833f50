"""fast lists and french search: partial indexes per sort on what the public sees, and the
French search index (PostgreSQL: unaccent, a french_unaccent configuration and GIN
indexes on a generated column; SQLite: FTS5 tables kept by triggers through the french_terms function)

Revision ID: 289fc6d35ae3
Revises: f3b8d1a6c2e7
Create Date: 2026-11-29 13:29:15.406294

"""
from alembic import op
import sqlalchemy as sa

# The search index's DDL is written once, beside the queries that read it.
from participation.search.index import CONFIG_NAME, INDEXED, postgresql_ddl, sqlite_ddl


# revision identifiers, used by Alembic.
revision = '289fc6d35ae3'
down_revision = 'f3b8d1a6c2e7'
branch_labels = None
depends_on = None


VISIBLE = "status IN ('published', 'withdrawn', 'not_retained', 'under_study', 'merged', 'retained', 'promoted') AND hidden_at IS NULL"


def upgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index('ix_proposals_visible_comments', ['round_id', sa.literal_column('comment_count DESC'), sa.literal_column('id DESC')], unique=False, postgresql_where=sa.text(VISIBLE), sqlite_where=sa.text(VISIBLE))
        batch_op.create_index('ix_proposals_visible_newest', ['round_id', sa.literal_column('published_at DESC'), sa.literal_column('id DESC')], unique=False, postgresql_where=sa.text(VISIBLE), sqlite_where=sa.text(VISIBLE))
        batch_op.create_index('ix_proposals_visible_round_pillar', ['round_id', 'pillar_id'], unique=False, postgresql_where=sa.text(VISIBLE), sqlite_where=sa.text(VISIBLE))
        batch_op.create_index('ix_proposals_visible_pillar_newest', ['pillar_id', sa.literal_column('published_at DESC'), sa.literal_column('id DESC')], unique=False, postgresql_where=sa.text(VISIBLE), sqlite_where=sa.text(VISIBLE))
        batch_op.create_index('ix_proposals_visible_supports', ['round_id', sa.literal_column('(support_count + paper_support_count) DESC'), sa.literal_column('id DESC')], unique=False, postgresql_where=sa.text(VISIBLE), sqlite_where=sa.text(VISIBLE))

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG_NAME} (COPY = french)")
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {CONFIG_NAME} "
            "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem"
        )
        statements = [s for name in INDEXED for s in postgresql_ddl(name)]
    else:
        statements = [s for name in INDEXED for s in sqlite_ddl(name)]
    for statement in statements:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in INDEXED:
            op.execute(f"ALTER TABLE {name} DROP COLUMN search_vector")
        op.execute(f"DROP TEXT SEARCH CONFIGURATION {CONFIG_NAME}")
    else:
        for fts in INDEXED.values():
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {fts}_{event}")
            op.execute(f"DROP TABLE {fts}")
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_visible_pillar_newest', postgresql_where=sa.text(VISIBLE), sqlite_where=sa.text(VISIBLE))
        batch_op.drop_index('ix_proposals_visible_round_pillar', postgresql_where=sa.text(VISIBLE), sqlite_where=sa.text(VISIBLE))
        batch_op.drop_index('ix_proposals_visible_supports', postgresql_where=sa.text(VISIBLE), sqlite_where=sa.text(VISIBLE))
        batch_op.drop_index('ix_proposals_visible_newest', postgresql_where=sa.text(VISIBLE), sqlite_where=sa.text(VISIBLE))
        batch_op.drop_index('ix_proposals_visible_comments', postgresql_where=sa.text(VISIBLE), sqlite_where=sa.text(VISIBLE))

