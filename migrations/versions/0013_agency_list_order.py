"""the assignment lists' order within one agency as an index, so that a page of an agency's inbox is
read off it instead of sorting all the agency's assignments (app/tracking/queries.py LIST_ORDER)

Revision ID: 0013_agency_list_order
Revises: 0012_token_expiry
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_agency_list_order'
down_revision = '0012_token_expiry'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_assignments_agency_list_order', 'assignments',
                    ['agency_id', sa.text('(deadline IS NULL)'), 'deadline', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_assignments_agency_list_order', table_name='assignments')
