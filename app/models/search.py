"""The full-text index: one row per directive, task and progress report, holding only the fields a
search is about (number and symbol, subject / task text / report note, agency names), both as shown
and folded into plain tokens (app/text.fold: no accents, lower case, "đ" → "d").

The index proper is outside the models, created with the table (app/search.py): on PostgreSQL a
generated tsvector column over the folded tokens with a GIN index, on SQLite an FTS5 table kept by
triggers."""
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class SearchEntry(db.Model):
    __tablename__ = "search_entries"
    __table_args__ = (UniqueConstraint("kind", "record_id", name="uq_search_entries_kind_record"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # directive, task, report
    record_id: Mapped[int] = mapped_column(Integer)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(Integer)  # a report's assignment
    # as shown (for the result and its highlighted words)
    code_text: Mapped[str] = mapped_column(String(100), default="")
    title_text: Mapped[str] = mapped_column(Text, default="")
    agency_text: Mapped[str] = mapped_column(Text, default="")
    # folded tokens separated by one space: what the index reads
    code: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text, default="")
    agencies: Mapped[str] = mapped_column(Text, default="")
