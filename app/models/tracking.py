"""Who must do what by when, and the append-only history of what they reported."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.agencies import Agency, AgencyGroup
from app.rules.workflow import STATUS_LABELS
from app.text import utcnow


class Assignment(db.Model):
    """One agency's duty to do one task.

    `active` is False once an editor took the agency off the task after it had reported:
    the row and its history stay, it just no longer counts.
    """

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("task_id", "agency_id", name="uq_assignments_task_agency"),)

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

    task = relationship("Task", back_populates="assignments")
    agency: Mapped[Agency] = relationship()
    via_group: Mapped[AgencyGroup | None] = relationship()
    reports: Mapped[list["ProgressReport"]] = relationship(
        back_populates="assignment", order_by="ProgressReport.id", cascade="all, delete-orphan"
    )

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def directive(self):
        return self.task.section.directive


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

    assignment: Mapped[Assignment] = relationship(back_populates="reports")
    user = relationship("User")

    @property
    def old_status_label(self) -> str:
        return STATUS_LABELS.get(self.old_status, self.old_status or "")

    @property
    def new_status_label(self) -> str:
        return STATUS_LABELS.get(self.new_status, self.new_status)
