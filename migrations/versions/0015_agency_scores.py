"""the scorecard's rows kept ahead (agency_scores): agency_tallies' classes summed per organisation and
agency, so the dashboard no longer groups every agency's classes on each request (app/tracking/tallies.py)

Revision ID: 0015_agency_scores
Revises: 0014_directive_list_order
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_agency_scores'
down_revision = '0014_directive_list_order'
branch_labels = None
depends_on = None

# the classes as stored in agency_tallies.timeliness (app/rules/timeliness.py) and the columns they make
# (app/tracking/queries.py SCORE_KINDS), written out: a migration must not change when the code does
COLUMNS = {"done_on_time": ("hoan_thanh_dung_han",), "done_late": ("hoan_thanh_qua_han",), "overdue": ("qua_han",),
           "in_progress": ("trong_han", "sap_den_han"), "no_deadline": ("khong_thoi_han",)}
NOT_COUNTED = "da_huy"


def upgrade():
    op.create_table(
        'agency_scores',
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in ('live', 'assigned', *COLUMNS)),
        sa.PrimaryKeyConstraint('owner_id', 'agency_id', name=op.f('pk_agency_scores')),
    )
    sums = ", ".join(
        f"sum(CASE WHEN timeliness IN ({', '.join(repr(k) for k in kinds)}) THEN count ELSE 0 END)"
        for kinds in COLUMNS.values())
    op.execute(
        f"INSERT INTO agency_scores (owner_id, agency_id, live, assigned, {', '.join(COLUMNS)}) "
        f"SELECT owner_id, agency_id, sum(count), sum(CASE WHEN timeliness != '{NOT_COUNTED}' THEN count ELSE 0 END), "
        f"{sums} FROM agency_tallies GROUP BY owner_id, agency_id")


def downgrade():
    op.drop_table('agency_scores')
