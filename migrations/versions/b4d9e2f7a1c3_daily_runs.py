"""the mail worker's daily tasks: the last day each ran (the digest), claimed by one worker

Revision ID: b4d9e2f7a1c3
Revises: a7c4e2d9f013
Create Date: 2026-11-30 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4d9e2f7a1c3'
down_revision = 'a7c4e2d9f013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'daily_runs',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_daily_runs')),
    )


def downgrade():
    op.drop_table('daily_runs')
