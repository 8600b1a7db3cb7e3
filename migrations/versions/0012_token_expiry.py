"""API tokens expire: each has the last day it is accepted (api_tokens.expires_on), chosen when it is made

Tokens made before this revision had no end. They are given DEFAULT_DAYS from the day of the upgrade
(not from the day they were made), so no program that uses one stops on the day of the upgrade; the
account page shows the date, and the owner replaces the token before it.

Revision ID: 0012_token_expiry
Revises: 0011_list_order
"""
from datetime import timedelta

from alembic import op
import sqlalchemy as sa


revision = '0012_token_expiry'
down_revision = '0011_list_order'
branch_labels = None
depends_on = None

DEFAULT_DAYS = 90  # app/api/tokens.py DEFAULT_DAYS when this revision was written


def upgrade():
    from app.clock import local_today

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_on', sa.Date(), nullable=True))
    tokens = sa.table('api_tokens', sa.column('expires_on', sa.Date()))
    op.execute(tokens.update().values(expires_on=local_today() + timedelta(days=DEFAULT_DAYS)))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_on', existing_type=sa.Date(), nullable=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_on')
