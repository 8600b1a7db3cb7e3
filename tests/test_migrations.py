"""The Alembic migrations build the same schema as the models, on SQLite and on PostgreSQL."""
import os
import uuid
import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app, search
from app.extensions import db
from tests.helpers import ROOT


def _targets():
    yield pytest.param("sqlite", id="sqlite")
    if os.environ.get("TEST_DATABASE_URL"):
        yield pytest.param("postgresql", id="postgresql")


@pytest.fixture(params=list(_targets()))
def empty_database(request, tmp_path):
    """An empty database: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.db'}", "SQLALCHEMY_ENGINE_OPTIONS": {}}
        return
    url = os.environ["TEST_DATABASE_URL"]
    schema = f"migration_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield {"SQLALCHEMY_DATABASE_URI": url,
           "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}}}
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def test_upgrade_matches_models_and_downgrade_empties(empty_database):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", **empty_database})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        tables = set(inspect(db.engine).get_table_names())
        assert {"agencies", "agency_groups", "users", "directives", "sections", "tasks", "assignments",
                "progress_reports", "audit_events", "alembic_version"} <= tables
        with db.engine.connect() as conn:
            # the full-text index (FTS5 tables, the tsvector column) lives outside the models
            context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                             "include_object": search.include_object})
            with warnings.catch_warnings():  # expression indexes are not reflected: compared below by name
                warnings.filterwarnings("ignore", message=".*expression-based index")
                differences = compare_metadata(context, db.metadata)
            expression_indexes = {index.name for table in db.metadata.tables.values() for index in table.indexes
                                  if any(not hasattr(column, "name") or column.name is None
                                         for column in index.expressions)}
            assert expression_indexes == {"ix_assignments_list_order", "ix_assignments_agency_list_order",
                                          "ix_directives_list_order"}
            if conn.dialect.name == "sqlite":
                found = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars())
            else:
                found = set(conn.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"))
                            .scalars())
            assert expression_indexes <= found, expression_indexes - found
        assert differences == [], f"models and migrations differ: {differences}"
        downgrade(directory=str(ROOT / "migrations"), revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_global_roles_become_roles_in_the_users_agency(empty_database):
    """0004: office and department users become staff of their agency; leaders, clerks, admins keep their
    role; every directive's organisation is its issuer."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", **empty_database})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="0003")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO agencies (id, name, short_name, abbreviation, kind, header_text, place, "
                              "active) VALUES (1, 'Ủy ban nhân dân tỉnh Kon Tum', 'UBND tỉnh', 'UBND', 'ubnd_tinh', "
                              "'ỦY BAN NHÂN DÂN', 'Kon Tum', true)"))
            for number, role in enumerate(("office", "department", "leader", "clerk", "admin"), start=1):
                conn.execute(text("INSERT INTO users (id, username, full_name, password_hash, role, agency_id, "
                                  "active, created_at) VALUES (:id, :name, :name, 'x', :role, 1, true, "
                                  "CURRENT_TIMESTAMP)"), {"id": number, "name": f"u{number}", "role": role})
            conn.execute(text("INSERT INTO directives (id, doc_type, issuer_agency_id, issuer_text, symbol, place, "
                              "subject, preamble, closing, signer_authority_title, signer_title, state, search_text, "
                              "created_at, updated_at, version) VALUES (1, 'cong_van', 1, '', 'UBND', '', 'x', '', "
                              "'', '', '', 'approved', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"))
        upgrade(directory=str(ROOT / "migrations"))
        with db.engine.connect() as conn:
            roles = dict(conn.execute(text("SELECT user_id, role FROM user_roles ORDER BY user_id")).all())
            owner = conn.execute(text("SELECT owner_agency_id, purpose FROM directives")).one()
        assert roles == {1: "staff", 2: "staff", 3: "leader", 4: "clerk", 5: "admin"}
        assert tuple(owner) == (1, "chi_dao")
        downgrade(directory=str(ROOT / "migrations"), revision="0003")
        with db.engine.connect() as conn:
            back = dict(conn.execute(text("SELECT id, role FROM users ORDER BY id")).all())
        assert back == {1: "office", 2: "office", 3: "leader", 4: "clerk", 5: "admin"}
        db.engine.dispose()


@pytest.mark.clock("2026-12-02T20:00:00+00:00")  # 03:00 on 03/12 in Việt Nam: the local day, not UTC's
def test_tokens_made_before_expiry_existed_get_the_default_days_from_the_upgrade(empty_database):
    """0012: a token made when tokens had no end keeps working for 90 days from the day of the upgrade,
    whatever day it was made; the column is then required."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", **empty_database})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="0011_list_order")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO agencies (id, name, short_name, abbreviation, kind, header_text, place, "
                              "active) VALUES (1, 'Sở Y tế tỉnh Kon Tum', 'Sở Y tế', 'SYT', 'so', 'SỞ Y TẾ', "
                              "'Kon Tum', true)"))
            conn.execute(text("INSERT INTO users (id, username, full_name, password_hash, agency_id, active, "
                              "created_at, session_token) VALUES (1, 'u1', 'u1', 'x', 1, true, CURRENT_TIMESTAMP, "
                              "'s')"))
            for number, made in ((1, "2025-01-10 08:00:00"), (2, "2026-12-01 09:00:00")):
                conn.execute(text("INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at) "
                                  "VALUES (:id, 1, 'm', :hash, 'tdcd_x', :made)"),
                             {"id": number, "hash": str(number) * 64, "made": made})
        upgrade(directory=str(ROOT / "migrations"))
        with db.engine.connect() as conn:
            days = set(conn.execute(text("SELECT expires_on FROM api_tokens")).scalars())
        assert {str(day) for day in days} == {"2027-03-03"}  # 03/12/2026 + 90 days
        column = next(c for c in inspect(db.engine).get_columns("api_tokens") if c["name"] == "expires_on")
        assert column["nullable"] is False
        downgrade(directory=str(ROOT / "migrations"), revision="0011_list_order")
        assert "expires_on" not in {c["name"] for c in inspect(db.engine).get_columns("api_tokens")}
        db.engine.dispose()
