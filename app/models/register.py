"""The registers of an organisation: outgoing (sổ đăng ký văn bản đi) and incoming (sổ đăng ký văn bản
đến), each one gapless number sequence per agency and year (ND30 Điều 15, 22; Phụ lục IV)."""
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.clock import utcnow


class RegisterCounter(db.Model):
    """The last number given by an agency in a year; incremented atomically when a clerk issues."""

    __tablename__ = "register_counters"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class RegisterEntry(db.Model):
    """One issued letter: its number, date, and the SHA-256 of the frozen DOCX and PDF."""

    __tablename__ = "register_entries"
    __table_args__ = (UniqueConstraint("agency_id", "year", "sequence", name="uq_register_entries_sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id"), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20))
    issued_date: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    docx_path: Mapped[str] = mapped_column(String(500))
    docx_sha256: Mapped[str] = mapped_column(String(64))
    pdf_path: Mapped[str] = mapped_column(String(500))
    pdf_sha256: Mapped[str] = mapped_column(String(64))

    directive = relationship("Directive", back_populates="register_entry")
    issued_by = relationship("User")


class ReceivedCounter(db.Model):
    """The last "số đến" an agency gave in a year."""

    __tablename__ = "received_counters"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class ReceivedEntry(db.Model):
    """A directive in an organisation's incoming register: its số đến and ngày đến. The directive keeps
    the number, symbol and date its issuer printed; this row never renumbers it."""

    __tablename__ = "received_entries"
    __table_args__ = (
        UniqueConstraint("agency_id", "year", "sequence", name="uq_received_entries_sequence"),
        UniqueConstraint("directive_id", "agency_id", name="uq_received_entries_directive_agency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    received_date: Mapped[date] = mapped_column(Date)
    registered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # "internal": issued inside the deployment, arrived by itself; "external": entered by the organisation
    source: Mapped[str] = mapped_column(String(20), default="internal")

    directive = relationship("Directive", back_populates="received_entries")
    agency = relationship("Agency")
    registered_by = relationship("User")
