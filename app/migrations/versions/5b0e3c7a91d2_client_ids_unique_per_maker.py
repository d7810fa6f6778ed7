"""client ids unique per maker (volunteer, household creator), not globally

Revision ID: 5b0e3c7a91d2
Revises: 5b7e2c9d1a4f
Create Date: 2026-12-01 23:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b0e3c7a91d2'
down_revision = '5b7e2c9d1a4f'
branch_labels = None
depends_on = None


def upgrade():
    # Same constraint names, more columns: every stored id was unique globally, so it is unique per maker too.
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_constraint('uq_visit_client_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_visit_client_id'), ['client_id', 'volunteer_id'])
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_constraint('uq_household_client_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_household_client_id'), ['client_id', 'created_by_id'])


def downgrade():
    # Fails if two makers have since used one client id: such rows must be told apart by hand first.
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_constraint('uq_household_client_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_household_client_id'), ['client_id'])
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_constraint('uq_visit_client_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_visit_client_id'), ['client_id'])
