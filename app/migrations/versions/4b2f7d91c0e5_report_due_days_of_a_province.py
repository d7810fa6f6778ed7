"""the province's deadline for its units' periodic reports, in days after a period's last day

Revision ID: 4b2f7d91c0e5
Revises: 9d4e2a7b61c3
Create Date: 2026-12-02 05:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '4b2f7d91c0e5'
down_revision = '9d4e2a7b61c3'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN with a default on both databases (a batch copy of `province` would drop a table that
    # units refer to). 6 days after the 14th is the 20th, Decree 09's latest day (app/models/geo.py).
    op.add_column('province', sa.Column('report_due_days', sa.Integer(), nullable=False, server_default='6'))


def downgrade():
    with op.batch_alter_table('province') as batch_op:
        batch_op.drop_column('report_due_days')
