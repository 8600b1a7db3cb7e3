"""the directive list's order as an index (app/directives/queries.py LIST_ORDER), its issuers by owner
(issuers_in_use), the tallies by agency readable by agency alone (the inbox's total: app/tracking/queries.py
tallied_total), and each organisation's number of directives with work kept (owner_totals)

Revision ID: 0014_directive_list_order
Revises: 0013_agency_list_order
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_directive_list_order'
down_revision = '0013_agency_list_order'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_directives_list_order', 'directives',
                    [sa.text('(issued_date IS NULL)'), sa.text('issued_date DESC'), sa.text('id DESC')], unique=False)
    op.create_index('ix_directives_owner_issuer', 'directives', ['owner_agency_id', 'issuer_agency_id'], unique=False)
    op.create_index('ix_agency_tallies_agency_id', 'agency_tallies', ['agency_id', 'timeliness'], unique=False)
    op.create_table('owner_totals',
                    sa.Column('owner_id', sa.Integer(), nullable=False),
                    sa.Column('directives', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('owner_id', name=op.f('pk_owner_totals')))
    # filled by the next recount of the tallies (the night's, or `flask jobs tallies`); until then the
    # dashboard reads no total for an organisation: mark the tallies stale so that it counts live
    op.execute("UPDATE tally_state SET as_of = '2000-01-01'")


def downgrade():
    op.drop_table('owner_totals')
    op.drop_index('ix_agency_tallies_agency_id', table_name='agency_tallies')
    op.drop_index('ix_directives_owner_issuer', table_name='directives')
    op.drop_index('ix_directives_list_order', table_name='directives')
