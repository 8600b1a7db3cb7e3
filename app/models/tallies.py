"""The dashboard's figures, counted ahead: how many live assignments of each organisation's directives
fall in each timeliness class, per agency and per directive, as of one local day (app/tracking/tallies.py
keeps them right in the transactions that change the data, and moves them to the next day)."""
from datetime import date

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class TallyState(db.Model):
    """One row: the day and the due-soon window the tallies classify by. Its row lock serialises the
    transactions that change tallies, so two of them never count one change twice or not at all."""

    __tablename__ = "tally_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    due_soon_days: Mapped[int] = mapped_column(Integer)


class DirectiveTally(db.Model):
    """A directive's live assignments to one agency in one class: the detail the sums are moved by."""

    __tablename__ = "directive_tallies"

    # plain integers, no foreign keys: a cascade must not remove a row before its count is taken off the sums
    directive_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    timeliness: Mapped[str] = mapped_column(String(30), primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, index=True)
    count: Mapped[int] = mapped_column(Integer)


class AgencyTally(db.Model):
    """Per organisation (the directives' owner) and agency: the dashboard's boxes and scorecard."""

    __tablename__ = "agency_tallies"
    # an agency's own tasks across every organisation's directives: the inbox's total
    __table_args__ = (Index("ix_agency_tallies_agency_id", "agency_id", "timeliness"),)

    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    timeliness: Mapped[str] = mapped_column(String(30), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class AgencyScore(db.Model):
    """Per organisation and agency, the scorecard's row: agency_tallies' classes summed into its columns,
    kept by the same transactions, so the dashboard sorts and pages a few thousand rows without grouping
    (app/tracking/queries.py SCORE_KINDS says which classes make each column)."""

    __tablename__ = "agency_scores"

    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    live: Mapped[int] = mapped_column(Integer)  # every live assignment, cancelled ones too: the row's reason to be
    assigned: Mapped[int] = mapped_column(Integer)
    done_on_time: Mapped[int] = mapped_column(Integer)
    done_late: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer)
    in_progress: Mapped[int] = mapped_column(Integer)
    no_deadline: Mapped[int] = mapped_column(Integer)


class DirectiveTotal(db.Model):
    """Per organisation and directive: the directives with the most overdue work, and how many there are."""

    __tablename__ = "directive_totals"
    __table_args__ = (Index("ix_directive_totals_owner_class_count", "owner_id", "timeliness", "count"),)

    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    directive_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    timeliness: Mapped[str] = mapped_column(String(30), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class OwnerTotal(db.Model):
    """Per organisation: how many of its directives have live assignments (the dashboard's "văn bản"), kept
    rather than counted over every directive."""

    __tablename__ = "owner_totals"

    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    directives: Mapped[int] = mapped_column(Integer)
