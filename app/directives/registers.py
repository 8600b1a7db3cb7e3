"""Register numbers: the outgoing and the incoming register of an agency, one sequence per year."""
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def next_in_register(counter, agency_id: int, year: int) -> int:
    """The next number of a register (RegisterCounter or ReceivedCounter) of an agency for a year,
    atomically (row lock on PostgreSQL, write lock on SQLite): no gap, no repeat, 01 again each year."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(counter).values(agency_id=agency_id, year=year, last_number=0).on_conflict_do_nothing()
    )
    return db.session.execute(
        update(counter)
        .where(counter.agency_id == agency_id, counter.year == year)
        .values(last_number=counter.last_number + 1)
        .returning(counter.last_number)
    ).scalar_one()
