"""a campaign's commendation rule: how many teams and volunteers are proposed, and the outcomes each needs

Revision ID: 53cd64ff2c9a
Revises: a7c41e9d2b58
Create Date: 2026-12-02 09:42:13.130587

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '53cd64ff2c9a'
down_revision = 'a7c41e9d2b58'
branch_labels = None
depends_on = None

# The defaults of models.plan.COMMEND_DEFAULTS, written out: a migration keeps what it did when the model changes.
COLUMNS = (('commend_teams', '3'), ('commend_team_outcomes', '20'), ('commend_volunteers', '10'),
           ('commend_volunteer_outcomes', '10'))


def upgrade():
    # Plain ADD COLUMNs on both databases (no batch copy of the table on SQLite).
    for name, default in COLUMNS:
        op.add_column('campaign', sa.Column(name, sa.Integer(), nullable=False, server_default=default))


def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        for name, _default in reversed(COLUMNS):
            batch_op.drop_column(name)
