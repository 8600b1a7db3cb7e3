"""Work that outlives a request: one row per job a user started (a large Excel file, a report, a ZIP
of letters), with its progress and, once done, the file it produced."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUS_LABELS = {QUEUED: "Đang chờ", RUNNING: "Đang xử lý", DONE: "Hoàn thành", FAILED: "Không thành công"}
STATUS_BADGES = {QUEUED: "secondary", RUNNING: "info", DONE: "success", FAILED: "danger"}
KIND_LABELS = {"excel": "Danh sách nhiệm vụ (Excel)", "report": "Báo cáo tình hình thực hiện",
               "letters_zip": "Tệp nén văn bản đã phát hành", "ocr": "Nhận dạng chữ bản quét để nhập văn bản",
               "drafts_zip": "Tệp nén văn bản chưa cấp số"}


class Job(db.Model):
    """One job: who asked, for which organisation, what, how far it got, and its file or its error."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300), default="")
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON: what the job needs to run again
    status: Mapped[str] = mapped_column(String(20), default=QUEUED, index=True)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    result_path: Mapped[str | None] = mapped_column(String(500))  # under GENERATED_DIR
    result_name: Mapped[str | None] = mapped_column(String(255))  # the name the browser saves it as
    result_size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    user = relationship("User")
    organisation = relationship("Agency")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def percent(self) -> int:
        if self.status == DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
