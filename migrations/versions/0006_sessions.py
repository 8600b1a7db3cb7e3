"""sessions that can be ended (a token per user in every session and remember cookie), one number
per extension request of an assignment

Revision ID: 0006_sessions
Revises: 0005_ui
Create Date: 2026-12-02 01:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0006_sessions"
down_revision = "0005_ui"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=32), nullable=True))
    connection = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(users.update().where(users.c.id == user_id).values(session_token=secrets.token_hex(16)))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=32), nullable=False)

    # requests that a race numbered twice are renumbered in the order they were made
    requests = sa.table("extension_requests", sa.column("id", sa.Integer), sa.column("assignment_id", sa.Integer),
                        sa.column("sequence", sa.Integer))
    rows = connection.execute(sa.select(requests.c.id, requests.c.assignment_id, requests.c.sequence)
                              .order_by(requests.c.assignment_id, requests.c.sequence, requests.c.id)).all()
    seen = {}
    for row_id, assignment_id, sequence in rows:
        taken = seen.setdefault(assignment_id, set())
        if sequence in taken:
            sequence = max(taken) + 1
            connection.execute(requests.update().where(requests.c.id == row_id).values(sequence=sequence))
        taken.add(sequence)
    with op.batch_alter_table("extension_requests", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_extension_requests_sequence", ["assignment_id", "sequence"])


def downgrade():
    with op.batch_alter_table("extension_requests", schema=None) as batch_op:
        batch_op.drop_constraint("uq_extension_requests_sequence", type_="unique")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_token")
