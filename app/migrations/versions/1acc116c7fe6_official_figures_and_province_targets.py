"""official figures and province targets

Revision ID: 1acc116c7fe6
Revises: d63c68e3c8fd
Create Date: 2026-12-02 02:03:04.506833

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1acc116c7fe6'
down_revision = 'd63c68e3c8fd'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('official_figure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ward_code', sa.Integer(), nullable=False),
    sa.Column('period_kind', sa.String(length=10), nullable=False),
    sa.Column('period_year', sa.Integer(), nullable=False),
    sa.Column('period_number', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=20), nullable=False),
    sa.Column('numerator', sa.Integer(), nullable=False),
    sa.Column('denominator', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('denominator IS NULL OR numerator <= denominator', name=op.f('ck_official_figure_numerator_within_denominator')),
    sa.CheckConstraint('numerator >= 0', name=op.f('ck_official_figure_numerator_not_negative')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_official_figure_updated_by_id_user')),
    sa.ForeignKeyConstraint(['ward_code'], ['ward.code'], name=op.f('fk_official_figure_ward_code_ward')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_official_figure')),
    sa.UniqueConstraint('period_kind', 'period_year', 'period_number', 'ward_code', 'indicator', name=op.f('uq_official_figure_period_kind'))
    )
    with op.batch_alter_table('official_figure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_figure_ward_code'), ['ward_code'], unique=False)

    op.create_table('province_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=20), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('value', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['province_code'], ['province.code'], name=op.f('fk_province_target_province_code_province')),
    sa.ForeignKeyConstraint(['set_by_id'], ['user.id'], name=op.f('fk_province_target_set_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_province_target')),
    sa.UniqueConstraint('province_code', 'indicator', 'valid_from', name=op.f('uq_province_target_province_code'))
    )
    with op.batch_alter_table('province_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_province_target_province_code'), ['province_code'], unique=False)




def downgrade():

    with op.batch_alter_table('province_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_province_target_province_code'))

    op.drop_table('province_target')
    with op.batch_alter_table('official_figure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_figure_ward_code'))

    op.drop_table('official_figure')

