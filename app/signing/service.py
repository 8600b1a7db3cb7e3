"""Signing an issued letter and verifying signed PDFs.

The leader of the issuing organisation signs the frozen PDF (PAdES baseline, pyHanko, an incremental
revision with a visible signature field: the signer's image centred between the position line and
the name, ND30 ô 7c); then its clerk adds the organisation's signature (the seal, true size, over the
left third of the signer's image, ô 8). Each revision is a new file beside the frozen one with its own
SHA-256; the frozen PDF is never rewritten.
"""
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from asn1crypto import keys as asn1_keys, x509 as asn1_x509
from cryptography import x509
from sqlalchemy import select

from app.clock import utcnow
from app import storage
from app.extensions import db
from app.models import Directive, SignedRevision, SigningCredential, TrustRoot
from app.models.audit import record
from app.models.signing import ORGANISATION, PERSONAL, SEAL_STEP, SIGNER_STEP
from app.rules import permissions
from app.signing import keys
from app.text import fold

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PT_PER_MM = 72 / 25.4
FIELD_NAMES = {SIGNER_STEP: "ChuKyNguoiKy", SEAL_STEP: "ChuKyCoQuan"}


class SigningError(Exception):
    """Signing refused, with a Vietnamese message."""


# --- credentials ---------------------------------------------------------------------------------

def credential_for_user(user) -> SigningCredential | None:
    return db.session.scalar(select(SigningCredential).where(
        SigningCredential.user_id == user.id, SigningCredential.kind == PERSONAL,
        SigningCredential.active.is_(True)).order_by(SigningCredential.id.desc()))


def credential_for_agency(agency_id) -> SigningCredential | None:
    return db.session.scalar(select(SigningCredential).where(
        SigningCredential.agency_id == agency_id, SigningCredential.kind == ORGANISATION,
        SigningCredential.active.is_(True)).order_by(SigningCredential.id.desc()))


def add_trust_root(certificate: x509.Certificate, name: str | None = None) -> TrustRoot:
    digest = keys.fingerprint(certificate)
    found = db.session.scalar(select(TrustRoot).where(TrustRoot.sha256 == digest))
    if found is None:
        found = TrustRoot(name=name or certificate.subject.rfc4514_string(), sha256=digest,
                          certificate_pem=keys.pem(certificate))
        db.session.add(found)
        db.session.flush()
    return found


def store_credential(kind, certificate, private_key, image_png: bytes, width_mm: float, *, user=None,
                     agency=None, chain=()) -> SigningCredential:
    """Keep a certificate, its private key encrypted, and its image; older ones of the same owner retire."""
    problem = keys.check_image(image_png, "blue" if kind == PERSONAL else "red")
    if problem:
        raise SigningError(problem)
    owner = (SigningCredential.user_id == user.id) if kind == PERSONAL else (SigningCredential.agency_id == agency.id)
    for old in db.session.scalars(select(SigningCredential).where(owner, SigningCredential.kind == kind)):
        old.active = False
    credential = SigningCredential(
        kind=kind, user_id=user.id if user else None, agency_id=(agency.id if agency else user.agency_id),
        subject=certificate.subject.rfc4514_string(), certificate_pem=keys.pem(certificate),
        chain_pem="".join(keys.pem(c) for c in chain), private_key_encrypted=keys.encrypt_key(private_key),
        image_png=image_png, image_width_mm=width_mm, not_after=certificate.not_valid_after_utc.replace(tzinfo=None),
    )
    db.session.add(credential)
    db.session.flush()
    return credential


def demo_ca():
    """The demo CA (certificate, key), made once and kept as a trust root and an encrypted key."""
    row = db.session.scalar(select(SigningCredential).where(SigningCredential.kind == "ca",
                                                             SigningCredential.active.is_(True)))
    if row is not None:
        certificate = x509.load_pem_x509_certificate(row.certificate_pem.encode())
        from cryptography.hazmat.primitives.serialization import load_der_private_key
        return certificate, load_der_private_key(keys.decrypt_key_der(row.private_key_encrypted), None)
    certificate, key = keys.make_root()
    db.session.add(SigningCredential(
        kind="ca", subject=certificate.subject.rfc4514_string(), certificate_pem=keys.pem(certificate),
        private_key_encrypted=keys.encrypt_key(key), image_png=b"", image_width_mm=0,
        not_after=certificate.not_valid_after_utc.replace(tzinfo=None)))
    add_trust_root(certificate, keys.DEMO_CA_NAME)
    db.session.flush()
    return certificate, key


def demo_credentials(users=(), agencies=()) -> int:
    """Certificates from the demo CA for the given leaders and organisations that have none; the count made."""
    ca_certificate, ca_key = demo_ca()
    made = 0
    for user in users:
        if credential_for_user(user) is None:
            certificate, key = keys.issue_certificate(ca_certificate, ca_key, user.full_name,
                                                      user.agency.name if user.agency else "")
            store_credential(PERSONAL, certificate, key, keys.signature_image(user.full_name),
                             keys.SIGNATURE_WIDTH_MM, user=user, chain=[ca_certificate])
            made += 1
    for agency in agencies:
        if credential_for_agency(agency.id) is None:
            certificate, key = keys.issue_certificate(ca_certificate, ca_key, agency.name, agency.name)
            store_credential(ORGANISATION, certificate, key, keys.seal_image(agency.short_name or agency.name),
                             keys.SEAL_WIDTH_MM, agency=agency, chain=[ca_certificate])
            made += 1
    return made


def demo_credentials_for_all() -> int:
    """Every leader gets a personal certificate, every organisation with a clerk a seal."""
    from app.models import Agency, User, UserRole
    leaders = db.session.scalars(select(User).join(UserRole).where(UserRole.role == permissions.LEADER)
                                 .order_by(User.id)).all()
    clerk_agencies = set()
    for user in db.session.scalars(select(User).join(UserRole).where(UserRole.role == permissions.CLERK)):
        clerk_agencies.update(user.organisation_ids)
    agencies = db.session.scalars(select(Agency).where(Agency.id.in_(clerk_agencies)).order_by(Agency.id)).all()
    return demo_credentials(leaders, agencies)


def _signer(credential: SigningCredential):
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore
    certificate = asn1_x509.Certificate.load(
        x509.load_pem_x509_certificate(credential.certificate_pem.encode()).public_bytes(_der()))
    chain = [asn1_x509.Certificate.load(c.public_bytes(_der()))
             for c in x509.load_pem_x509_certificates(credential.chain_pem.encode())] if credential.chain_pem else []
    key = asn1_keys.PrivateKeyInfo.load(keys.decrypt_key_der(credential.private_key_encrypted))
    return signers.SimpleSigner(signing_cert=certificate, signing_key=key,
                                cert_registry=SimpleCertificateStore.from_certs(chain))


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding
    return Encoding.DER


# --- where the images go ------------------------------------------------------------------------

@dataclass
class Box:
    page: int  # 0-based
    x0: float
    y0: float  # PDF user space, origin bottom-left
    x1: float
    y1: float

    @property
    def width(self):
        return self.x1 - self.x0

    @property
    def height(self):
        return self.y1 - self.y0


def _rows(page):
    rows = {}
    for word in page.extract_words():
        if word["x0"] > page.width * 0.45:
            rows.setdefault(round(word["top"]), []).append(word)
    return [(top, " ".join(w["text"] for w in ws), min(w["x0"] for w in ws), max(w["x1"] for w in ws),
             max(w["bottom"] for w in ws)) for top, ws in sorted(rows.items())]


def signature_gap(pdf: bytes, directive: Directive) -> tuple[int, float, float, float, float]:
    """(page, centre x, gap top, gap bottom, page height) of the space between the position line and
    the signer's name in the signature block, in PDF points (y upwards)."""
    import pdfplumber
    name = fold(directive.signer_name or "")
    title = fold(directive.signer_title or "")
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for index in range(len(document.pages) - 1, -1, -1):
            page = document.pages[index]
            rows = _rows(page)
            for position, (top, text, x0, x1, _bottom) in enumerate(rows):
                if name and fold(text) == name:
                    above = [r for r in rows[:position] if fold(r[1]) == title] or rows[max(position - 1, 0):position]
                    gap_top = above[-1][4] if above else top - 70
                    height = float(page.height)
                    return index, (x0 + x1) / 2, height - gap_top, height - top, height
    raise SigningError("Không tìm thấy khối chữ ký (chức vụ và họ tên người ký) trong bản PDF đã phát hành.")


def signer_box(pdf: bytes, directive: Directive, credential: SigningCredential) -> Box:
    from PIL import Image
    page, centre, gap_top, gap_bottom, _ = signature_gap(pdf, directive)
    image = Image.open(io.BytesIO(credential.image_png))
    width = credential.image_width_mm * PT_PER_MM
    height = width * image.height / image.width
    middle = (gap_top + gap_bottom) / 2
    return Box(page, centre - width / 2, middle - height / 2, centre + width / 2, middle + height / 2)


def seal_box(signer: Box, credential: SigningCredential) -> Box:
    """The seal at its true size, its right edge a third of the way into the signer's image."""
    from PIL import Image
    image = Image.open(io.BytesIO(credential.image_png))
    width = credential.image_width_mm * PT_PER_MM
    height = width * image.height / image.width
    right = signer.x0 + signer.width / 3
    middle = (signer.y0 + signer.y1) / 2
    return Box(signer.page, right - width, middle - height / 2, right, middle + height / 2)


def _composite(parts, width: float, height: float):
    """A PdfContent drawing PNG images at (x, y, w, h) in a box of width × height points."""
    from PIL import Image
    from pyhanko.pdf_utils import content, images, layout

    class Composite(content.PdfContent):
        def render(self):
            out = []
            for png, x, y, w, h in parts:
                image = images.PdfImage(Image.open(io.BytesIO(png)), box=layout.BoxConstraints(w, h))
                image.set_writer(self.writer)
                drawn = image.render()
                self.import_resources(image.resources)
                out.append(b"q 1 0 0 1 %g %g cm %s Q" % (x, y, drawn))
            return b" ".join(out)

    return Composite(box=layout.BoxConstraints(width, height))


def caption_image(lines: list[str], width_mm: float) -> tuple[bytes, float]:
    """The signing information as black text (Liberation Serif, like the letter), PNG with alpha;
    (png, height in mm). Lines too wide for the seal are wrapped."""
    from PIL import Image, ImageDraw, ImageFont
    px_per_mm = keys.DPI / 25.4
    width = int(width_mm * px_per_mm)
    font = ImageFont.truetype(str(keys.FONT.with_name("LiberationSerif-Regular.ttf")), int(2.3 * px_per_mm))
    wrapped = []
    for line in lines:
        words, current = line.split(), ""
        for word in words:
            trial = f"{current} {word}".strip()
            if font.getlength(trial) <= width or not current:
                current = trial
            else:
                wrapped.append(current)
                current = word
        wrapped.append(current)
    step = int(2.9 * px_per_mm)
    image = Image.new("RGBA", (width, step * len(wrapped) + 4), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(wrapped):
        draw.text((0, index * step), line, font=font, fill=(0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue(), image.height / px_per_mm


def _stamp_style(image_png: bytes, caption: tuple[bytes, float] | None = None, box: "Box | None" = None):
    from PIL import Image
    from pyhanko import stamp
    from pyhanko.pdf_utils import images, layout
    if caption is not None:  # the seal on top, the signing information under it
        png, height_mm = caption
        text_height = height_mm * PT_PER_MM
        background = _composite([(image_png, 0, text_height, box.width, box.height - text_height),
                                 (png, 0, 0, box.width, text_height)], box.width, box.height)
    else:
        background = images.PdfImage(Image.open(io.BytesIO(image_png)))
    return stamp.StaticStampStyle(
        background=background, border_width=0, background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0), inner_content_scaling=layout.InnerScaling.STRETCH_FILL))


def sign_pdf(pdf: bytes, credential: SigningCredential, box: Box, field_name: str, *, reason: str,
             location: str, name: str, caption: list[str] | None = None) -> bytes:
    """One PAdES signature added as an incremental revision, its visible field at `box`."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name=field_name, md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES, reason=reason,
                                        location=location, name=name)
    style_caption = None
    if caption:  # the widget grows downwards by the caption's height; the image keeps its place
        style_caption = caption_image(caption, box.width / PT_PER_MM)
        box = Box(box.page, box.x0, box.y0 - style_caption[1] * PT_PER_MM, box.x1, box.y1)
    spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=box.page,
                               box=(round(box.x0, 2), round(box.y0, 2), round(box.x1, 2), round(box.y1, 2)))
    pdf_signer = signers.PdfSigner(meta, signer=_signer(credential),
                                   stamp_style=_stamp_style(credential.image_png, style_caption, box),
                                   new_field_spec=spec)
    from app.signing.verify import outside_event_loop
    return outside_event_loop(pdf_signer.sign_pdf, writer, in_place=False).getvalue()


# --- the two steps ------------------------------------------------------------------------------

def revisions(directive: Directive) -> dict[str, SignedRevision]:
    return {r.step: r for r in db.session.scalars(select(SignedRevision).where(SignedRevision.directive_id == directive.id))}


def latest_revision(directive: Directive) -> SignedRevision | None:
    found = revisions(directive)
    return found.get(SEAL_STEP) or found.get(SIGNER_STEP)


def _root() -> Path:
    """Signed revisions are records: they live beside the frozen originals (app/storage.py)."""
    return storage.root()


def read_checked(path: str, digest: str) -> bytes:
    data = (_root() / path).read_bytes()
    if hashlib.sha256(data).hexdigest() != digest:
        raise SigningError("Tệp đã ký không còn khớp mã SHA-256 đã lưu: có thể đã bị sửa.")
    return data


def signed_bytes(directive: Directive) -> bytes | None:
    revision = latest_revision(directive)
    return None if revision is None else read_checked(revision.path, revision.sha256)


def _frozen(directive: Directive) -> bytes:
    entry = directive.register_entry
    if entry is None:
        raise SigningError("Chỉ ký số văn bản đã cấp số và phát hành (bản PDF đã đóng băng).")
    return read_checked(entry.pdf_path, entry.pdf_sha256)


def _store(directive, step, content: bytes, base: bytes, credential, user) -> SignedRevision:
    entry = directive.register_entry
    frozen = Path(entry.pdf_path)
    path = frozen.with_name(f"{frozen.stem}.ky-so-{1 if step == SIGNER_STEP else 2}.pdf")
    (_root() / path).write_bytes(content)
    revision = SignedRevision(directive_id=directive.id, step=step, path=str(path),
                              sha256=hashlib.sha256(content).hexdigest(), base_sha256=hashlib.sha256(base).hexdigest(),
                              credential_id=credential.id, signed_by_id=user.id, signed_at=utcnow())
    db.session.add(revision)
    db.session.flush()
    return revision


def sign_as_leader(directive: Directive, user) -> SignedRevision:
    """The signer's digital signature on the frozen PDF. The caller commits."""
    if not permissions.can_sign_directive(user, directive):
        raise SigningError("Chỉ lãnh đạo của cơ quan ban hành ký số văn bản đã phát hành, một lần.")
    if revisions(directive).get(SIGNER_STEP):
        raise SigningError("Văn bản đã được ký số.")
    credential = credential_for_user(user)
    if credential is None:
        raise SigningError("Tài khoản chưa có chứng thư số và ảnh chữ ký; quản trị cần cấp trước khi ký.")
    base = _frozen(directive)
    box = signer_box(base, directive, credential)
    content = sign_pdf(base, credential, box, FIELD_NAMES[SIGNER_STEP], name=user.full_name,
                       reason=f"Ký ban hành văn bản {directive.number_symbol}",
                       location=directive.place or "")
    revision = _store(directive, SIGNER_STEP, content, base, credential, user)
    record(user, "directive.sign", directive, f"Ký số văn bản {directive.number_symbol}",
           {"signed_sha256": [None, revision.sha256]})
    return revision


def seal_as_clerk(directive: Directive, user) -> SignedRevision:
    """The organisation's digital signature (its seal) on the leader's signed revision. The caller commits."""
    if not permissions.can_seal_directive(user, directive):
        raise SigningError("Chỉ văn thư của cơ quan ban hành đóng dấu số, sau khi lãnh đạo đã ký.")
    found = revisions(directive)
    if SIGNER_STEP not in found:
        raise SigningError("Lãnh đạo chưa ký số văn bản này.")
    if SEAL_STEP in found:
        raise SigningError("Văn bản đã có chữ ký số của cơ quan.")
    credential = credential_for_agency(directive.issuer_agency_id)
    if credential is None:
        raise SigningError("Cơ quan chưa có chứng thư số và ảnh con dấu; quản trị cần cấp trước khi đóng dấu.")
    base = read_checked(found[SIGNER_STEP].path, found[SIGNER_STEP].sha256)
    frozen = _frozen(directive)
    leader_credential = found[SIGNER_STEP].credential
    box = seal_box(signer_box(frozen, directive, leader_credential), credential)
    agency = directive.issuer_agency
    moment = utcnow().replace(tzinfo=ZoneInfo("UTC")).astimezone(VN)
    content = sign_pdf(base, credential, box, FIELD_NAMES[SEAL_STEP], name=agency.name,
                       reason=f"Cơ quan ban hành ký số văn bản {directive.number_symbol}",
                       location=directive.place or "",
                       caption=[f"Ký bởi: {agency.name}", f"Thời gian ký: {moment:%d/%m/%Y %H:%M:%S} +07:00"])
    revision = _store(directive, SEAL_STEP, content, base, credential, user)
    record(user, "directive.seal", directive, f"Ký số của cơ quan (đóng dấu) văn bản {directive.number_symbol}",
           {"signed_sha256": [found[SIGNER_STEP].sha256, revision.sha256]})
    return revision
