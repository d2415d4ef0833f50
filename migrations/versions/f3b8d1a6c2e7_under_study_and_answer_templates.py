"""under study, answer templates, following and notifications

Proposals gain the "under study" status (the CHECK constraints of the proposal and of its trail
list it). Moderators keep answer templates, in French or English, to start their public answers
from. Residents follow proposals (authors and supporters from the start: the existing ones are
filled in here), read their notifications (an unread count is kept with the account) and choose,
for each kind of news, an e-mail at once, a daily digest or none.

Revision ID: f3b8d1a6c2e7
Revises: f3b8d2a61c07
Create Date: 2026-11-29 13:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b8d1a6c2e7'
down_revision = 'f3b8d2a61c07'
branch_labels = None
depends_on = None

# The values as they were when this migration was written (the enum may grow later).
BEFORE = ('submitted', 'published', 'withdrawn', 'not_retained', 'merged', 'retained',
          'promoted')
AFTER = ('submitted', 'published', 'withdrawn', 'not_retained', 'under_study', 'merged',
         'retained', 'promoted')
STATUS_CHECKS = (
    ('proposals', 'ck_proposals_status_known', 'status'),
    ('proposal_events', 'ck_proposal_events_from_status_known', 'from_status'),
    ('proposal_events', 'ck_proposal_events_to_status_known', 'to_status'),
)


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _status_checks(values):
    for table, name, column in STATUS_CHECKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(name), type_='check')
            batch_op.create_check_constraint(op.f(name), _in(column, values))


def upgrade():
    op.create_table('answer_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.Enum('fr', 'en', name='language_known', native_enum=False, create_constraint=True, length=2), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_answer_templates_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_templates')),
    sa.UniqueConstraint('language', 'title', name=op.f('uq_answer_templates_language_title'))
    )
    _status_checks(AFTER)

    op.create_table('follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_follows_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follows_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follows')),
    sa.UniqueConstraint('user_id', 'proposal_id', name=op.f('uq_follows_user_id_proposal_id'))
    )
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follows_proposal_id'), ['proposal_id'], unique=False)
    # Authors and supporters follow their proposals from the start, those before this too.
    op.execute(
        "INSERT INTO follows (user_id, proposal_id, created_at) "
        "SELECT user_id, proposal_id, MIN(created_at) FROM ("
        " SELECT author_id AS user_id, id AS proposal_id, created_at FROM proposals"
        " WHERE author_id IS NOT NULL"
        " UNION ALL"
        " SELECT user_id, proposal_id, created_at FROM supports WHERE user_id IS NOT NULL"
        ") AS followed GROUP BY user_id, proposal_id"
    )

    op.create_table('notification_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.Enum('answer', 'action', 'comment', name='type_known', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('delivery', sa.Enum('immediate', 'digest', 'none', name='delivery_known', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preferences')),
    sa.UniqueConstraint('user_id', 'type', name=op.f('uq_notification_preferences_user_id_type'))
    )

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.Enum('answer', 'action', 'comment', name='type_known', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('event', sa.String(length=30), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('in_digest', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_notifications_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index('ix_notifications_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index('ix_notifications_user_read', ['user_id', 'read_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unread_notifications', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f('ck_users_unread_positive'), 'unread_notifications >= 0')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_unread_positive'), type_='check')
        batch_op.drop_column('unread_notifications')
    op.drop_table('notifications')
    op.drop_table('notification_preferences')
    op.drop_table('follows')

    op.execute("UPDATE proposals SET status = 'published' WHERE status = 'under_study'")
    op.execute(
        "DELETE FROM proposal_events WHERE from_status = 'under_study' OR to_status = 'under_study'"
    )
    _status_checks(BEFORE)
    op.drop_table('answer_templates')
