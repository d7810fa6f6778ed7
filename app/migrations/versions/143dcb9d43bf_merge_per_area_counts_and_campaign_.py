"""merge per-area counts and campaign scores

Revision ID: 143dcb9d43bf
Revises: c1135ca92e66, f28cba7d35bd
Create Date: 2026-11-25 16:04:12.482692

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '143dcb9d43bf'
down_revision = ('c1135ca92e66', 'f28cba7d35bd')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
