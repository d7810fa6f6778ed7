"""member areas found by their area (a ward board's members per area)

Revision ID: 8e2d4c6b1f03
Revises: 197c92801d97
Create Date: 2026-12-02 16:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8e2d4c6b1f03'
down_revision = '197c92801d97'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_member_area_area', 'member_area', ['area_id', 'user_id'], unique=False)


def downgrade():
    op.drop_index('ix_member_area_area', table_name='member_area')
