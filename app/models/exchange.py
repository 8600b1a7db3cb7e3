"""edXML packets sent and received (QCVN 102:2016/BTTTT): one row per packet, documents and status
packets alike, so a directive's exchange history (sent, arrived, accepted, assigned, in progress,
done) reads from one table."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db


class ExchangeMessage(db.Model):
    __tablename__ = "exchange_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # "out" or "in"
    kind: Mapped[str] = mapped_column(String(10))  # "edoc" or "status"
    directive_id: Mapped[int | None] = mapped_column(ForeignKey("directives.id", ondelete="SET NULL"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))  # our organisation in the exchange
    peer_code: Mapped[str] = mapped_column(String(35), default="")  # the other side's OrganId
    document_id: Mapped[str] = mapped_column(String(200), index=True)  # edXML DocumentId
    status_code: Mapped[str | None] = mapped_column(String(2))
    description: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str] = mapped_column(String(300), default="")
    packet_sha256: Mapped[str] = mapped_column(String(64))
    attachment_sha256: Mapped[str | None] = mapped_column(String(64))
    attachment_path: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    directive = relationship("Directive")
    agency = relationship("Agency")
