"""Digital signatures: certificates and images per user (the signer) and per organisation (its seal),
the trust roots the verifier accepts, and the signed revisions of an issued letter.

A private key is stored encrypted (Fernet, key derived from SIGNING_KEY_SECRET or SECRET_KEY, see
app/signing/keys.py); it never leaves the server in the clear. The frozen PDF of the register entry
is never touched: each signature is a new file, an incremental revision of the one before, with its
own SHA-256."""
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db

PERSONAL = "personal"        # the signer's own signature (ô 7c)
ORGANISATION = "organisation"  # the organisation's signature, shown as its seal (ô 8)

SIGNER_STEP = "signer"
SEAL_STEP = "seal"
STEPS = (SIGNER_STEP, SEAL_STEP)


class SigningCredential(db.Model):
    """A certificate with its encrypted private key and the image shown where it signs."""

    __tablename__ = "signing_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    subject: Mapped[str] = mapped_column(String(500))
    certificate_pem: Mapped[str] = mapped_column(Text)
    chain_pem: Mapped[str] = mapped_column(Text, default="")  # issuers, leaf first excluded
    private_key_encrypted: Mapped[str] = mapped_column(Text)
    image_png: Mapped[bytes] = mapped_column(LargeBinary)
    image_width_mm: Mapped[float] = mapped_column(Float)  # printed size: a seal at its true size
    not_after: Mapped[datetime] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user = relationship("User")
    agency = relationship("Agency")


class TrustRoot(db.Model):
    """A root certificate the verifier trusts (beside those of SIGNING_TRUST_ROOTS)."""

    __tablename__ = "signing_trust_roots"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    certificate_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SignedRevision(db.Model):
    """One signature added to an issued letter: the leader's, then the organisation's (the seal)."""

    __tablename__ = "signed_revisions"
    __table_args__ = (UniqueConstraint("directive_id", "step", name="uq_signed_revisions_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    base_sha256: Mapped[str] = mapped_column(String(64))  # the file this revision was added to
    credential_id: Mapped[int | None] = mapped_column(ForeignKey("signing_credentials.id"))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    directive = relationship("Directive")
    signed_by = relationship("User")
    credential = relationship("SigningCredential")
