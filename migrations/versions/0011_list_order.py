"""the assignment lists' order as an index, so that a page of the office list is read off it instead of
sorting every assignment (app/tracking/queries.py LIST_ORDER)

Revision ID: 0011_list_order
Revises: 0010_tallies
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_list_order'
down_revision = '0010_tallies'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_assignments_list_order', 'assignments',
                    [sa.text('(deadline IS NULL)'), 'deadline', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_assignments_list_order', table_name='assignments')
