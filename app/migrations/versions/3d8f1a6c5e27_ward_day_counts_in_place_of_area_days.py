"""ward-day counts (visit counters and household days per ward and day) in place of the per-area days

Revision ID: 3d8f1a6c5e27
Revises: 7c3a9e5d2b14
Create Date: 2026-12-02 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3d8f1a6c5e27'
down_revision = '7c3a9e5d2b14'
branch_labels = None
depends_on = None

COUNTERS = ('visits', 'visits_met', 'vneid_installed', 'level2_activated', 'online_people', 'online_tutored',
            'cashless_setup', 'followups_opened', 'followups_closed')
DAYS = ('first_reached', 'last_visited')


def upgrade():
    op.create_table('ward_day_count',
    sa.Column('ward_code', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in (*COUNTERS, *DAYS)),
    sa.ForeignKeyConstraint(['ward_code'], ['ward.code'], name=op.f('fk_ward_day_count_ward_code_ward')),
    sa.PrimaryKeyConstraint('ward_code', 'day', name=op.f('pk_ward_day_count'))
    )
    # Filled from the rollups already kept (the daily counters and the per-area days, which `flask rollup
    # verify` checks against the raw rows), added up per ward and day.
    columns = ', '.join((*COUNTERS, *DAYS))
    sums = ', '.join(f'SUM({name})' for name in (*COUNTERS, *DAYS))
    op.execute(
        f"INSERT INTO ward_day_count (ward_code, day, {columns}) SELECT ward_code, day, {sums} FROM ("
        f"SELECT ward_code, day, {', '.join(COUNTERS)}, 0 AS first_reached, 0 AS last_visited FROM daily_count "
        f"UNION ALL SELECT ward_code, day, {', '.join('0' for _ in COUNTERS)}, first_reached, last_visited "
        "FROM area_day_count) AS part GROUP BY ward_code, day"
    )
    op.drop_table('area_day_count')


def downgrade():
    op.create_table('area_day_count',
    sa.Column('ward_code', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('first_reached', sa.Integer(), nullable=False),
    sa.Column('last_visited', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_area_day_count_area_id_area')),
    sa.ForeignKeyConstraint(['ward_code'], ['ward.code'], name=op.f('fk_area_day_count_ward_code_ward')),
    sa.PrimaryKeyConstraint('ward_code', 'day', 'area_id', name=op.f('pk_area_day_count'))
    )
    if op.get_bind().dialect.name == "postgresql":
        reached_day, visit_day = "CAST(reached_at + interval '7 hours' AS DATE)", "CAST(last_visit_at + interval '7 hours' AS DATE)"
    else:
        reached_day, visit_day = "date(reached_at, '+7 hours')", "date(last_visit_at, '+7 hours')"
    op.execute(
        "INSERT INTO area_day_count (ward_code, day, area_id, first_reached, last_visited) "
        "SELECT ward_code, day, area_id, SUM(first_reached), SUM(last_visited) FROM ("
        f"SELECT ward_code, {reached_day} AS day, area_id, 1 AS first_reached, 0 AS last_visited FROM household "
        "WHERE status = 'active' AND reached_at IS NOT NULL UNION ALL "
        f"SELECT ward_code, {visit_day}, area_id, 0, 1 FROM household "
        "WHERE status = 'active' AND last_visit_at IS NOT NULL) AS part GROUP BY ward_code, day, area_id"
    )
    op.drop_table('ward_day_count')
