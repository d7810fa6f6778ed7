"""periodic reports of a unit

Revision ID: d63c68e3c8fd
Revises: 3d8f1a6c5e27
Create Date: 2026-12-02 02:02:50.538541

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd63c68e3c8fd'
down_revision = '3d8f1a6c5e27'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('periodic_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ward_code', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('cutoff', sa.String(length=10), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('doc_number', sa.String(length=40), nullable=False),
    sa.Column('place', sa.String(length=80), nullable=False),
    sa.Column('doc_date', sa.Date(), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.Column('signer_title', sa.String(length=120), nullable=False),
    sa.Column('signer_name', sa.String(length=120), nullable=False),
    sa.Column('results', sa.Text(), nullable=False),
    sa.Column('shortcomings', sa.Text(), nullable=False),
    sa.Column('next_tasks', sa.Text(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_periodic_report_created_by_id_user')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user.id'], name=op.f('fk_periodic_report_sent_by_id_user')),
    sa.ForeignKeyConstraint(['ward_code'], ['ward.code'], name=op.f('fk_periodic_report_ward_code_ward')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_periodic_report')),
    sa.UniqueConstraint('ward_code', 'kind', 'cutoff', 'year', 'number', name=op.f('uq_periodic_report_ward_code'))
    )
    with op.batch_alter_table('periodic_report', schema=None) as batch_op:
        batch_op.create_index('ix_periodic_report_period', ['kind', 'cutoff', 'year', 'number'], unique=False)


def downgrade():
    with op.batch_alter_table('periodic_report', schema=None) as batch_op:
        batch_op.drop_index('ix_periodic_report_period')
    op.drop_table('periodic_report')
