"""units by their own type: the residential-area word of each unit; Vietnamese collation on PostgreSQL

Revision ID: 9d4e2a7b61c3
Revises: 1acc116c7fe6
Create Date: 2026-12-02 02:20:00.000000

"""
import logging

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9d4e2a7b61c3'
down_revision = '1acc116c7fe6'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    # A plain ADD COLUMN (NOT NULL with a default) on both databases: on SQLite a batch copy of `ward` would
    # have to drop a table that areas, teams and users refer to.
    op.add_column('ward', sa.Column('area_word', sa.String(length=20), nullable=False, server_default='khu_vuc'))
    # Existing units get their type's default (app.units.DEFAULT_WORD): a commune's areas are ấp, a ward's
    # and a special zone's khu vực. The package's double spaces in a few names go too.
    op.execute("UPDATE ward SET area_word = 'ap' WHERE division_type = 'xã'")
    op.execute("UPDATE ward SET name = replace(name, '  ', ' ') WHERE name LIKE '%  %'")

    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        # Names sorted by the database in Vietnamese alphabetical order (app/collation.py). A server built
        # without ICU gets a stand-in of the same name: lists in code-point order, nothing broken.
        has_icu = bind.execute(sa.text("SELECT count(*) FROM pg_collation WHERE collprovider = 'i'")).scalar()
        if has_icu:
            op.execute("CREATE COLLATION IF NOT EXISTS phuso_vi (provider = icu, locale = 'vi-u-kn-true')")
        else:
            log.warning("PostgreSQL has no ICU collations: names are listed in code-point order.")
            op.execute('CREATE COLLATION IF NOT EXISTS phuso_vi FROM "C"')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP COLLATION IF EXISTS phuso_vi")
    op.execute("ALTER TABLE ward DROP COLUMN area_word")  # SQLite 3.35+ and PostgreSQL alike
