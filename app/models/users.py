import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.clock import utcnow
from app.extensions import db
from app.models.agencies import Agency
from app.rules.permissions import ROLE_LABELS, ROLES


class UserRole(db.Model):
    """One role a user holds in their agency (staff, leader, clerk, admin)."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(UserMixin, db.Model):
    """A person working in one agency, acting for it and for the body it prepares documents for."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    # an admin's reach: None is the whole deployment, otherwise this agency and those below it
    admin_scope_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # part of every session and remember cookie: a new value ends them all (logout, new password, lock)
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    # e-mail: the address, which mails (comma-separated kinds of app/jobs/mail.py), one mail each or a
    # daily digest, and when the last digest went out
    email: Mapped[str | None] = mapped_column(String(254))
    mail_kinds: Mapped[str] = mapped_column(String(200), default="", server_default="")
    mail_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    digest_sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    agency: Mapped[Agency | None] = relationship(foreign_keys=[agency_id])
    admin_scope: Mapped[Agency | None] = relationship(foreign_keys=[admin_scope_id])
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                     order_by=UserRole.role)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    @property
    def role_names(self) -> frozenset[str]:
        return frozenset(row.role for row in self.role_rows)

    def set_roles(self, roles) -> None:
        wanted = [role for role in ROLES if role in set(roles)]
        keep = [row for row in self.role_rows if row.role in wanted]
        have = {row.role for row in keep}
        self.role_rows = keep + [UserRole(role=role) for role in wanted if role not in have]

    @property
    def role_label(self) -> str:
        return ", ".join(ROLE_LABELS[role] for role in ROLES if role in self.role_names)

    @property
    def organisation_ids(self) -> frozenset[int]:
        """The user's agency and the body it prepares documents for (Văn phòng → UBND)."""
        if self.agency is None:
            return frozenset()
        return frozenset(i for i in (self.agency.id, self.agency.serves_id) if i is not None)

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember cookie: the id and the session token."""
        if not self.session_token:
            self.session_token = secrets.token_hex(16)
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Every session and remember cookie of this user stops working at the next request."""
        self.session_token = secrets.token_hex(16)

    @property
    def mail_kind_set(self) -> frozenset[str]:
        return frozenset(kind for kind in (self.mail_kinds or "").split(",") if kind)

    def set_password(self, password: str) -> None:
        # Tests set a cheap method; production keeps Werkzeug's default (scrypt).
        method = current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"
        self.password_hash = generate_password_hash(password, method=method)
        self.end_sessions()  # a new password ends the sessions opened with the old one

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username}>"
