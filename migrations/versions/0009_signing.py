"""digital signatures: certificates and images per user and organisation (keys encrypted), trust
roots, signed revisions of issued letters; the agency code (mã định danh) and the edXML packets sent
and received

Revision ID: 0009_signing
Revises: 0005_ui
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_signing'
down_revision = '0008b_search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signing_credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('certificate_pem', sa.Text(), nullable=False),
    sa.Column('chain_pem', sa.Text(), nullable=False),
    sa.Column('private_key_encrypted', sa.Text(), nullable=False),
    sa.Column('image_png', sa.LargeBinary(), nullable=False),
    sa.Column('image_width_mm', sa.Float(), nullable=False),
    sa.Column('not_after', sa.DateTime(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_signing_credentials_agency_id_agencies')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_signing_credentials_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_credentials'))
    )
    with op.batch_alter_table('signing_credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_credentials_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signing_credentials_user_id'), ['user_id'], unique=False)

    op.create_table('signing_trust_roots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('certificate_pem', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_trust_roots')),
    sa.UniqueConstraint('sha256', name=op.f('uq_signing_trust_roots_sha256'))
    )
    op.create_table('signed_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('base_sha256', sa.String(length=64), nullable=False),
    sa.Column('credential_id', sa.Integer(), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['signing_credentials.id'], name=op.f('fk_signed_revisions_credential_id_signing_credentials')),
    sa.ForeignKeyConstraint(['directive_id'], ['directives.id'], name=op.f('fk_signed_revisions_directive_id_directives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_signed_revisions_signed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signed_revisions')),
    sa.UniqueConstraint('directive_id', 'step', name='uq_signed_revisions_step')
    )
    with op.batch_alter_table('signed_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signed_revisions_directive_id'), ['directive_id'], unique=False)

    op.create_table('exchange_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('peer_code', sa.String(length=35), nullable=False),
    sa.Column('document_id', sa.String(length=200), nullable=False),
    sa.Column('status_code', sa.String(length=2), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('file_name', sa.String(length=300), nullable=False),
    sa.Column('packet_sha256', sa.String(length=64), nullable=False),
    sa.Column('attachment_sha256', sa.String(length=64), nullable=True),
    sa.Column('attachment_path', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_exchange_messages_agency_id_agencies')),
    sa.ForeignKeyConstraint(['directive_id'], ['directives.id'], name=op.f('fk_exchange_messages_directive_id_directives'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_messages'))
    )
    with op.batch_alter_table('exchange_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_messages_directive_id'), ['directive_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_messages_document_id'), ['document_id'], unique=False)

    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=35), nullable=True))
        batch_op.create_index(batch_op.f('ix_agencies_code'), ['code'], unique=False)


def downgrade():
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agencies_code'))
        batch_op.drop_column('code')
    with op.batch_alter_table('exchange_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_messages_document_id'))
        batch_op.drop_index(batch_op.f('ix_exchange_messages_directive_id'))
    op.drop_table('exchange_messages')
    with op.batch_alter_table('signed_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signed_revisions_directive_id'))
    op.drop_table('signed_revisions')
    op.drop_table('signing_trust_roots')
    with op.batch_alter_table('signing_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signing_credentials_user_id'))
        batch_op.drop_index(batch_op.f('ix_signing_credentials_agency_id'))
    op.drop_table('signing_credentials')
