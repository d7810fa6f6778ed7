"""consent for sensitive priority tags

Revision ID: 5e1b7c0d2a9f
Revises: 5b0e3c7a91d2
Create Date: 2026-12-01 23:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1b7c0d2a9f'
down_revision = '5b0e3c7a91d2'
branch_labels = None
depends_on = None

SENSITIVE = ('disability', 'poor', 'near_poor', 'policy')


def upgrade():
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tags_consent_at', sa.DateTime(), nullable=True))

    # No consent was ever recorded for them, so the sensitive tags kept so far go (Decree 13/2023); the
    # "elderly living alone" tag stays. Tags count in no figure.
    household = sa.table('household', sa.column('id', sa.Integer), sa.column('priority_tags', sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(household.c.id, household.c.priority_tags)
                        .where(household.c.priority_tags != '')).all()
    for row_id, tags in rows:
        kept = ','.join(t for t in tags.split(',') if t and t not in SENSITIVE)
        if kept != tags:
            conn.execute(household.update().where(household.c.id == row_id).values(priority_tags=kept))


def downgrade():
    # SQLite drops the column in place: copying the table would break the visits' foreign keys.
    with op.batch_alter_table('household', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('tags_consent_at')
