"""moderation queue of reports: partial indexes on open reports (by date, by item) and on what
the reports hid

Revision ID: a7c4e2d9f013
Revises: 5d1e7a0c9b34
Create Date: 2026-11-30 05:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c4e2d9f013'
down_revision = '5d1e7a0c9b34'
branch_labels = None
depends_on = None


OPEN = "resolved_at IS NULL"
HIDDEN_BY_REPORTS = "hidden_reason = 'reported'"
REPORTS = (
    ('ix_reports_open', ['created_at', 'id']),
    ('ix_reports_open_proposal', ['proposal_id', 'created_at', 'id']),
    ('ix_reports_open_comment', ['comment_id', 'created_at', 'id']),
)


def upgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        for name, columns in REPORTS:
            batch_op.create_index(name, columns, unique=False, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    for table in ('proposals', 'comments'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f'ix_{table}_hidden_by_reports', ['id'], unique=False, postgresql_where=sa.text(HIDDEN_BY_REPORTS), sqlite_where=sa.text(HIDDEN_BY_REPORTS))


def downgrade():
    for table in ('comments', 'proposals'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_hidden_by_reports', postgresql_where=sa.text(HIDDEN_BY_REPORTS), sqlite_where=sa.text(HIDDEN_BY_REPORTS))
    with op.batch_alter_table('reports', schema=None) as batch_op:
        for name, _columns in reversed(REPORTS):
            batch_op.drop_index(name, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
