"""team-day scores: an index holding the sums a province leaderboard reads

Revision ID: 7c3a9e5d2b14
Revises: 5e1b7c0d2a9f
Create Date: 2026-12-02 00:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7c3a9e5d2b14'
down_revision = '5e1b7c0d2a9f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('team_day_score', schema=None) as batch_op:
        batch_op.create_index('ix_team_day_score_day_sums',
                              ['day', 'team_id', 'met', 'level2', 'tutored', 'cashless', 'followups_closed',
                               'first_reach'], unique=False)


def downgrade():
    with op.batch_alter_table('team_day_score', schema=None) as batch_op:
        batch_op.drop_index('ix_team_day_score_day_sums')
