"""A directive as structure: header fields, recipients, sections, tasks, who is assigned."""
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.doc_types import DOC_TYPES  # noqa: F401  (re-exported: the one table of types)
from app.extensions import db
from app.models.agencies import Agency, AgencyGroup
from app.clock import utcnow

URGENCIES = {"khan": "Khẩn", "thuong_khan": "Thượng khẩn", "hoa_toc": "Hỏa tốc"}
AUTHORITIES = ["TM.", "KT.", "TL.", "TUQ.", "Q."]
ASSIGNEE_ROLES = {"lead": "Chủ trì", "coordinating": "Phối hợp"}

LENGTHS = {
    "symbol": 50,
    "place": 100,
    "subject": 1000,
    "recipient": 500,
    "cc": 500,
    "number": 20,
    "section_number": 20,
    "signer": 200,
}


# What a letter is for: a directive whose tasks are tracked, or a reminder (đôn đốc) that refers
# to assignments that already exist and creates none.
PURPOSES = {"chi_dao": "Chỉ đạo, giao nhiệm vụ", "don_doc": "Đôn đốc"}


def number_symbol(number: str | None, symbol: str | None) -> str:
    """"05/UBND-KGVX" from the number and the symbol, for a directive or a row of plain columns."""
    return f"{number or ''}/{symbol}" if symbol else (number or "")


class Directive(db.Model):
    """A directive in an organisation's books: its own letter (draft → approved → issued), or one it
    received from outside and registered (received, with the number and date as printed).

    `owner_agency` is that organisation: the issuer of its own letters, the receiver of the others.
    `parent` is the directive this one implements (triển khai), one level up the chain.
    """

    __tablename__ = "directives"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(20), default="cong_van")
    issuer_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    owner_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("directives.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20), default="chi_dao")
    deadline: Mapped[date | None] = mapped_column(Date)  # a deadline printed for the whole letter
    issuer_text: Mapped[str] = mapped_column(Text, default="")
    number: Mapped[str | None] = mapped_column(String(LENGTHS["number"]))
    symbol: Mapped[str] = mapped_column(String(LENGTHS["symbol"]), default="")
    place: Mapped[str] = mapped_column(String(LENGTHS["place"]), default="")
    issued_date: Mapped[date | None] = mapped_column(Date, index=True)
    subject: Mapped[str] = mapped_column(String(LENGTHS["subject"]), default="")
    urgency: Mapped[str | None] = mapped_column(String(20))
    preamble: Mapped[str] = mapped_column(Text, default="")
    closing: Mapped[str] = mapped_column(Text, default="")
    signer_authority: Mapped[str | None] = mapped_column(String(10))
    signer_authority_title: Mapped[str] = mapped_column(String(LENGTHS["signer"]), default="")
    signer_title: Mapped[str] = mapped_column(String(LENGTHS["signer"]), default="")
    signer_name: Mapped[str | None] = mapped_column(String(LENGTHS["signer"]))
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    source_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    issuer_agency: Mapped[Agency | None] = relationship(foreign_keys=[issuer_agency_id])
    owner_agency: Mapped[Agency | None] = relationship(foreign_keys=[owner_agency_id])
    parent: Mapped["Directive | None"] = relationship(remote_side=[id], foreign_keys=[parent_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])
    recipients: Mapped[list["DirectiveRecipient"]] = relationship(
        order_by="DirectiveRecipient.position", cascade="all, delete-orphan", back_populates="directive"
    )
    cc_lines: Mapped[list["DirectiveCcLine"]] = relationship(
        order_by="DirectiveCcLine.position", cascade="all, delete-orphan", back_populates="directive"
    )
    sections: Mapped[list["Section"]] = relationship(
        order_by="Section.position", cascade="all, delete-orphan", back_populates="directive"
    )
    register_entry = relationship("RegisterEntry", back_populates="directive", uselist=False)
    received_entries = relationship("ReceivedEntry", back_populates="directive", order_by="ReceivedEntry.id",
                                    cascade="all, delete-orphan")
    comments: Mapped[list["DirectiveComment"]] = relationship(
        order_by="DirectiveComment.id", cascade="all, delete-orphan", back_populates="directive")

    @property
    def issuer_lines(self) -> list[str]:
        return [line for line in (self.issuer_text or "").split("\n") if line]

    @property
    def live_sections(self) -> list["Section"]:
        return [section for section in self.sections if not section.removed]

    @property
    def doc_type_label(self) -> str:
        return DOC_TYPES.get(self.doc_type, self.doc_type)

    @property
    def tracks_tasks(self) -> bool:
        """A reminder letter lists existing assignments; it creates no new tracked task."""
        return self.purpose != "don_doc"

    @property
    def citation(self) -> str:
        """"Công văn số 3617/UBND-VP ngày 25/6/2021 của UBND huyện Xuyên Mộc", as a later letter cites it."""
        parts = [self.doc_type_label]
        if self.number or self.symbol:
            parts.append(f"số {self.number_symbol}")
        if self.issued_date:
            parts.append(f"ngày {self.issued_date.day}/{self.issued_date.month}/{self.issued_date.year}")
        issuer = self.issuer_agency.short_name if self.issuer_agency else " ".join(self.issuer_lines[-1:]).title()
        if issuer:
            parts.append(f"của {issuer}")
        return " ".join(parts)

    @property
    def number_symbol(self) -> str:
        """"Số: 05/UBND-KGVX" as printed; the number stays blank until the clerk issues it."""
        return number_symbol(self.number, self.symbol)

    def __repr__(self) -> str:
        return f"<Directive {self.id} {self.number_symbol}>"


# the list's order (app/directives/queries.py LIST_ORDER): newest first, drafts last; a page is read off
# the index instead of sorting every directive the user may read
Index("ix_directives_list_order", text("(issued_date IS NULL)"), Directive.issued_date.desc(), Directive.id.desc())
# the issuers of an organisation's directives (the list's filter) without reading the directives
Index("ix_directives_owner_issuer", Directive.owner_agency_id, Directive.issuer_agency_id)


class DirectiveRecipient(db.Model):
    """One "Kính gửi" line, as printed."""

    __tablename__ = "directive_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(LENGTHS["recipient"]))

    directive: Mapped[Directive] = relationship(back_populates="recipients")


class DirectiveCcLine(db.Model):
    """One "Nơi nhận" line, without the leading dash and the final punctuation."""

    __tablename__ = "directive_cc_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(String(LENGTHS["cc"]))

    directive: Mapped[Directive] = relationship(back_populates="cc_lines")


class Section(db.Model):
    """A numbered part of the letter: who must act (heading, assignees) and what (tasks).

    `removed` keeps a section whose assignments already have history when an editor deletes it.
    """

    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    number: Mapped[str | None] = mapped_column(String(LENGTHS["section_number"]))
    heading: Mapped[str | None] = mapped_column(Text)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)

    directive: Mapped[Directive] = relationship(back_populates="sections")
    assignees: Mapped[list["SectionAssignee"]] = relationship(
        order_by="SectionAssignee.position", cascade="all, delete-orphan", back_populates="section"
    )
    tasks: Mapped[list["Task"]] = relationship(
        order_by="Task.position", cascade="all, delete-orphan", back_populates="section"
    )

    @property
    def live_tasks(self) -> list["Task"]:
        return [task for task in self.tasks if not task.removed]


class SectionAssignee(db.Model):
    """An agency or a group named as actor of a section, lead (chủ trì) or coordinating (phối hợp)."""

    __tablename__ = "section_assignees"
    __table_args__ = (
        CheckConstraint(
            "(agency_id IS NULL) <> (group_id IS NULL)", name="agency_xor_group"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("agency_groups.id"))
    role: Mapped[str] = mapped_column(String(20), default="lead")
    deadline: Mapped[date | None] = mapped_column(Date)

    section: Mapped[Section] = relationship(back_populates="assignees")
    agency: Mapped[Agency | None] = relationship()
    group: Mapped[AgencyGroup | None] = relationship()

    @property
    def target(self):
        return self.agency or self.group

    @property
    def name(self) -> str:
        return self.agency.name if self.agency else self.group.name


class Task(db.Model):
    """One item as printed in the letter; each assigned agency tracks it as an Assignment."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date | None] = mapped_column(Date)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)

    # "monthly:20", "weekly:4" …: a duty that comes back, tracked per occurrence (app/rules/recurrence.py)
    recurrence: Mapped[str | None] = mapped_column(String(40))
    # the assignment (one level up) that this task carries out; every assignment of the task implements it
    implements_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", use_alter=True), index=True)

    section: Mapped[Section] = relationship(back_populates="tasks")
    assignments = relationship(
        "Assignment", back_populates="task", cascade="all, delete-orphan", order_by="Assignment.id",
        foreign_keys="Assignment.task_id",
    )
    implements = relationship("Assignment", foreign_keys=[implements_id], post_update=True)
    agency_deadlines: Mapped[list["TaskDeadline"]] = relationship(cascade="all, delete-orphan",
                                                                  order_by="TaskDeadline.agency_id")


class TaskDeadline(db.Model):
    """A deadline printed for one agency inside one task ("Sở Tài chính … trước ngày 15/12"): it beats
    every other deadline of that agency for that task."""

    __tablename__ = "task_deadlines"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    deadline: Mapped[date] = mapped_column(Date)

    agency: Mapped[Agency] = relationship()


class DirectiveComment(db.Model):
    """One message in a draft's thread: a remark, or the note that came with submitting, returning or
    approving it. Kept after issue as part of the file's history."""

    __tablename__ = "directive_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(20), default="comment")  # comment, submit, return, approve
    text: Mapped[str] = mapped_column(Text, default="")

    directive: Mapped[Directive] = relationship(back_populates="comments")
    user = relationship("User")

    KIND_LABELS = {"comment": "Ý kiến", "submit": "Trình duyệt", "return": "Trả lại", "approve": "Duyệt",
                   "unapprove": "Trả về dự thảo"}

    @property
    def kind_label(self) -> str:
        return self.KIND_LABELS.get(self.kind, self.kind)
