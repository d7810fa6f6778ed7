"""level 2 per Nghị định 69/2024 (children 6-13 beside people 14+), cashless households and people tutored
online per area

Revision ID: a7c41e9d2b58
Revises: 4b2f7d91c0e5
Create Date: 2026-12-02 05:45:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c41e9d2b58'
down_revision = '4b2f7d91c0e5'
branch_labels = None
depends_on = None

HOUSEHOLD_CHECK = ("children >= 0 AND children_level2 >= 0 AND children_level2 <= children "
                   "AND eligible_people + children <= people")
COUNTERS = ('daily_count', 'ward_day_count')
AREA_SUMS = ('children', 'children_level2', 'people_online', 'cashless_households')


def _count(name):
    return sa.Column(name, sa.Integer(), nullable=False, server_default='0')


def upgrade():
    # Plain ADD COLUMNs on both databases: on SQLite a batch copy of `household` or `visit` would have to drop a
    # table others refer to. SQLite takes a CHECK only on a column it adds, so the household's rule rides on
    # its last new column there, and is a table constraint of the same name on PostgreSQL.
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.add_column('household', _count('children'))
    if sqlite:
        op.add_column('household', sa.Column('children_level2', sa.Integer(), sa.CheckConstraint(
            HOUSEHOLD_CHECK, name=op.f('ck_household_children')), nullable=False, server_default='0'))
        op.add_column('visit', sa.Column('level2_children', sa.Integer(), sa.CheckConstraint(
            'level2_children >= 0', name=op.f('ck_visit_children')), nullable=False, server_default='0'))
    else:
        op.add_column('household', _count('children_level2'))
        op.create_check_constraint(op.f('ck_household_children'), 'household', HOUSEHOLD_CHECK)
        op.add_column('visit', _count('level2_children'))
        op.create_check_constraint(op.f('ck_visit_children'), 'visit', 'level2_children >= 0')
    for table in COUNTERS:
        op.add_column(table, _count('level2_children'))
    for name in AREA_SUMS:
        op.add_column('area_count', _count(name))
    # No household has children yet; the people tutored online and the cashless households come from the
    # households' stored state, by the rule of services/rollups/areas.py, so `flask rollup verify` agrees.
    op.execute("""
        UPDATE area_count SET
          people_online = (SELECT coalesce(sum(h.people_online), 0) FROM household h
                           WHERE h.area_id = area_count.area_id AND h.status = 'active'),
          cashless_households = (SELECT count(*) FROM household h
                                 WHERE h.area_id = area_count.area_id AND h.status = 'active' AND h.cashless)
    """)


def downgrade():
    # Dropped in place on both databases. SQLite drops a column whose own CHECK goes with it, so the
    # household's children_level2 (which carries the rule there) goes before the children it names.
    for name in AREA_SUMS:
        op.drop_column('area_count', name)
    for table in COUNTERS:
        op.drop_column(table, 'level2_children')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_visit_children'), 'visit', type_='check')
        op.drop_constraint(op.f('ck_household_children'), 'household', type_='check')
    op.drop_column('visit', 'level2_children')
    op.drop_column('household', 'children_level2')
    op.drop_column('household', 'children')
