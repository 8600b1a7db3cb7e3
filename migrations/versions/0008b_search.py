"""full-text search: search_entries (directives, tasks, progress reports; only the fields searched),
indexed by a generated tsvector with a GIN index on PostgreSQL and by FTS5 with triggers on SQLite;
filled from the data already there

Revision ID: 0008b_search
Revises: 0008_api
Create Date: 2026-12-02 01:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008b_search'
down_revision = '0008_api'
branch_labels = None
depends_on = None


def upgrade():
    from app import search

    op.create_table('search_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('code_text', sa.String(length=100), nullable=False),
    sa.Column('title_text', sa.Text(), nullable=False),
    sa.Column('agency_text', sa.Text(), nullable=False),
    sa.Column('code', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('agencies', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['directive_id'], ['directives.id'], name=op.f('fk_search_entries_directive_id_directives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
    sa.UniqueConstraint('kind', 'record_id', name='uq_search_entries_kind_record')
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_entries_directive_id'), ['directive_id'], unique=False)
    connection = op.get_bind()
    search.create_index(connection)
    search.rebuild(connection)


def downgrade():
    from app import search

    search.drop_index(op.get_bind())
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entries_directive_id'))
    op.drop_table('search_entries')
