"""Who must do what by when, and the append-only history of what they reported."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.agencies import Agency, AgencyGroup
from app.rules.workflow import STATUS_LABELS
from app.clock import utcnow


class Assignment(db.Model):
    """One agency's duty to do one task.

    `active` is False once an editor took the agency off the task after it had reported:
    the row and its history stay, it just no longer counts.
    """

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("task_id", "agency_id", name="uq_assignments_task_agency"),
        # the lists' order (app/tracking/queries.py LIST_ORDER): a page is read off the index, not sorted
        Index("ix_assignments_list_order", text("(deadline IS NULL)"), "deadline", "id"),
        # the same order within one agency: the inbox's page (its own tasks) is read off it too
        Index("ix_assignments_agency_list_order", "agency_id", text("(deadline IS NULL)"), "deadline", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    via_group_id: Mapped[int | None] = mapped_column(ForeignKey("agency_groups.id"))
    role: Mapped[str] = mapped_column(String(20), default="lead")
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    original_deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="chua_thuc_hien", index=True)
    progress_percent: Mapped[int] = mapped_column(Integer, default=0)
    completed_date: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    task = relationship("Task", back_populates="assignments", foreign_keys=[task_id])
    agency: Mapped[Agency] = relationship()
    via_group: Mapped[AgencyGroup | None] = relationship()
    reports: Mapped[list["ProgressReport"]] = relationship(
        back_populates="assignment", order_by="ProgressReport.id", cascade="all, delete-orphan"
    )
    extensions: Mapped[list["ExtensionRequest"]] = relationship(
        back_populates="assignment", order_by="ExtensionRequest.id", cascade="all, delete-orphan"
    )
    occurrences: Mapped[list["Occurrence"]] = relationship(
        back_populates="assignment", order_by="Occurrence.due_date", cascade="all, delete-orphan"
    )

    def claim(self) -> None:
        """Every step in the assignment's life writes its row, so the row's version makes two steps
        taken at once conflict (the second gets StaleDataError, answered 409) even when one of them
        changes no field: a note that changes nothing, an extension request or decision, a period."""
        self.updated_at = utcnow()

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def directive(self):
        return self.task.section.directive


class Occurrence(db.Model):
    """One period of a recurring obligation: its own due date, and when the agency reported on it."""

    __tablename__ = "assignment_occurrences"
    __table_args__ = (UniqueConstraint("assignment_id", "due_date", name="uq_assignment_occurrences_due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    due_date: Mapped[date] = mapped_column(Date)
    reported_on: Mapped[date | None] = mapped_column(Date)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("progress_reports.id", ondelete="SET NULL"))

    assignment: Mapped["Assignment"] = relationship(back_populates="occurrences")
    report = relationship("ProgressReport")


class ProgressReport(db.Model):
    """An entry in an assignment's history. Rows are only ever added, never edited."""

    __tablename__ = "progress_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    old_status: Mapped[str | None] = mapped_column(String(20))
    new_status: Mapped[str] = mapped_column(String(20))
    percent: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    # "update" (a status or progress change), "reminder" (đôn đốc lần n), "transfer" (moved to a successor)
    kind: Mapped[str] = mapped_column(String(20), default="update")

    assignment: Mapped[Assignment] = relationship(back_populates="reports")
    user = relationship("User")
    evidence: Mapped[list["Evidence"]] = relationship(back_populates="report", order_by="Evidence.id")

    @property
    def old_status_label(self) -> str:
        return STATUS_LABELS.get(self.old_status, self.old_status or "")

    @property
    def new_status_label(self) -> str:
        return STATUS_LABELS.get(self.new_status, self.new_status)


class ExtensionRequest(db.Model):
    """A department asks for a later deadline ("gia hạn lần n"); the office approves or rejects it."""

    __tablename__ = "extension_requests"
    __table_args__ = (UniqueConstraint("assignment_id", "sequence", name="uq_extension_requests_sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deadline_before: Mapped[date | None] = mapped_column(Date)
    requested_deadline: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    # the office may grant another date than the one asked for (with its reason)
    granted_deadline: Mapped[date | None] = mapped_column(Date)

    assignment: Mapped[Assignment] = relationship(back_populates="extensions")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    STATUS_LABELS = {"pending": "Chờ duyệt", "approved": "Đã đồng ý", "rejected": "Không đồng ý"}

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS.get(self.status, self.status)


class Evidence(db.Model):
    """A file a department attached to a progress report; stored outside static under a random name."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("progress_reports.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    report: Mapped[ProgressReport | None] = relationship(back_populates="evidence")


class Notification(db.Model):
    """An in-app message for one user (new assignment, result returned, extension decided…)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(String(500))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    directive_id: Mapped[int | None] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)


class Snapshot(db.Model):
    """One organisation's counts per agency at a cut-off date, kept so a month's figures can be shown again."""

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("organisation_id", "cutoff", name="uq_snapshots_organisation_cutoff"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    cutoff: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rows: Mapped[list["SnapshotRow"]] = relationship(back_populates="snapshot", cascade="all, delete-orphan")


class SnapshotRow(db.Model):
    __tablename__ = "snapshot_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    assigned: Mapped[int] = mapped_column(Integer, default=0)
    done_on_time: Mapped[int] = mapped_column(Integer, default=0)
    done_late: Mapped[int] = mapped_column(Integer, default=0)
    in_progress_on_time: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)
    no_deadline: Mapped[int] = mapped_column(Integer, default=0)

    snapshot: Mapped[Snapshot] = relationship(back_populates="rows")
    agency: Mapped[Agency] = relationship()


class Reminder(db.Model):
    """One assignment listed in a reminder letter (công văn đôn đốc): lần 1, lần 2 …"""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
