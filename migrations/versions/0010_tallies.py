"""the dashboard's tallies: live assignments per organisation, agency, directive and timeliness class as
of one day, kept by the transactions that change them (app/tracking/tallies.py); counted by the application

Revision ID: 0010_tallies
Revises: 0009_signing
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_tallies'
down_revision = '0009_signing'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tally_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('due_soon_days', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tally_state'))
    )
    op.create_table('directive_tallies',
    sa.Column('directive_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('timeliness', sa.String(length=30), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('directive_id', 'agency_id', 'timeliness', name=op.f('pk_directive_tallies'))
    )
    op.create_index(op.f('ix_directive_tallies_owner_id'), 'directive_tallies', ['owner_id'], unique=False)
    op.create_table('agency_tallies',
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('timeliness', sa.String(length=30), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'agency_id', 'timeliness', name=op.f('pk_agency_tallies'))
    )
    op.create_table('directive_totals',
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=False),
    sa.Column('timeliness', sa.String(length=30), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'directive_id', 'timeliness', name=op.f('pk_directive_totals'))
    )
    op.create_index('ix_directive_totals_owner_class_count', 'directive_totals', ['owner_id', 'timeliness', 'count'],
                    unique=False)
    # the first count is left to the application (`flask jobs tallies`, the midnight job, `flask setup`):
    # until then every dashboard counts live, as before this migration


def downgrade():
    op.drop_index('ix_directive_totals_owner_class_count', table_name='directive_totals')
    op.drop_table('directive_totals')
    op.drop_table('agency_tallies')
    op.drop_index(op.f('ix_directive_tallies_owner_id'), table_name='directive_tallies')
    op.drop_table('directive_tallies')
    op.drop_table('tally_state')
