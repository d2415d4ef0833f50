"""rounds from the city's archives: a round imported from before the platform

A round such as the 2018 Smart Days took place on paper and in public meetings: its proposals,
supports and participants were never recorded here, only what the council decided. Pages say
so instead of showing zeros.

Revision ID: f3b8d2a61c07
Revises: 9c0af866be5e
Create Date: 2026-11-29 13:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b8d2a61c07'
down_revision = '9c0af866be5e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('is_history', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute("UPDATE rounds SET is_history = true WHERE slug = 'smart-days-2018'")


def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('is_history')
