"""moderation queues: partial indexes on what waits for a moderator (to publish, to decide);
a proposal's comment thread read in its order

Revision ID: 5d1e7a0c9b34
Revises: 289fc6d35ae3
Create Date: 2026-11-30 00:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1e7a0c9b34'
down_revision = '289fc6d35ae3'
branch_labels = None
depends_on = None


TO_PUBLISH = "status IN ('submitted')"
TO_DECIDE = "status IN ('published', 'under_study')"
THREADS = "parent_id IS NULL"


def upgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index('ix_proposals_to_publish', ['created_at', 'id'], unique=False, postgresql_where=sa.text(TO_PUBLISH), sqlite_where=sa.text(TO_PUBLISH))
        batch_op.create_index('ix_proposals_to_decide_supports', [sa.literal_column('(support_count + paper_support_count) DESC'), 'id'], unique=False, postgresql_where=sa.text(TO_DECIDE), sqlite_where=sa.text(TO_DECIDE))
        batch_op.create_index('ix_proposals_to_decide_pillar', ['pillar_id', 'published_at', 'round_id'], unique=False, postgresql_where=sa.text(TO_DECIDE), sqlite_where=sa.text(TO_DECIDE))
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_proposal_threads', ['proposal_id', 'created_at', 'id'], unique=False, postgresql_where=sa.text(THREADS), sqlite_where=sa.text(THREADS))


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_proposal_threads', postgresql_where=sa.text(THREADS), sqlite_where=sa.text(THREADS))
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_to_decide_pillar', postgresql_where=sa.text(TO_DECIDE), sqlite_where=sa.text(TO_DECIDE))
        batch_op.drop_index('ix_proposals_to_decide_supports', postgresql_where=sa.text(TO_DECIDE), sqlite_where=sa.text(TO_DECIDE))
        batch_op.drop_index('ix_proposals_to_publish', postgresql_where=sa.text(TO_PUBLISH), sqlite_where=sa.text(TO_PUBLISH))
