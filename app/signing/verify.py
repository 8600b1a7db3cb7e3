"""Verifying the signatures of a PDF: integrity, the certificate chain against the trust roots
(the demo CA and any in SIGNING_TRUST_ROOTS), the signing time, and what changed after each
signature. Results are sentences in Vietnamese; no network is used (no fetching of CRLs or OCSP)."""
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import TrustRoot

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# pyHanko's AdES sub-indications, in words
TRUST_PROBLEMS = {
    "NO_CERTIFICATE_CHAIN_FOUND": "không dẫn đến gốc tin cậy nào đã cấu hình.",
    "EXPIRED": "chứng thư đã hết hạn.",
    "OUT_OF_BOUNDS_NO_POE": "thời điểm ký nằm ngoài thời hạn của chứng thư.",
    "NOT_YET_VALID": "chứng thư chưa đến thời hạn sử dụng.",
    "REVOKED": "chứng thư đã bị thu hồi.",
    "REVOKED_NO_POE": "chứng thư đã bị thu hồi.",
    "CHAIN_CONSTRAINTS_FAILURE": "chuỗi chứng thực sai ràng buộc (mục đích sử dụng khóa, CA).",
    "SIG_CONSTRAINTS_FAILURE": "chứng thư không dùng để ký (mục đích sử dụng khóa).",
    "TRY_LATER": "chưa kiểm tra được tình trạng thu hồi.",
}


@dataclass
class SignatureCheck:
    field: str
    signer: str
    organisation: str
    intact: bool
    trusted: bool
    signing_time: datetime | None
    coverage_ok: bool
    messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted and self.coverage_ok


@dataclass
class Report:
    signatures: list[SignatureCheck]
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.signatures) and all(s.ok for s in self.signatures)

    @property
    def summary(self) -> str:
        if self.error:
            return self.error
        if not self.signatures:
            return "Tệp không có chữ ký số."
        if self.ok:
            return f"Hợp lệ: {len(self.signatures)} chữ ký số, toàn vẹn, chứng thư được tin cậy."
        return "Không hợp lệ: có chữ ký số không đạt (xem chi tiết)."


def trust_roots():
    """asn1crypto certificates: those stored in the database and those of SIGNING_TRUST_ROOTS (PEM files)."""
    from asn1crypto import pem, x509
    blobs = [row.certificate_pem.encode() for row in db.session.scalars(select(TrustRoot))]
    for path in filter(None, (current_app.config.get("SIGNING_TRUST_ROOTS") or "").split(":")):
        blobs.append(Path(path).read_bytes())
    roots = []
    for blob in blobs:
        for _kind, _headers, der in pem.unarmor(blob, multiple=True):
            roots.append(x509.Certificate.load(der))
    return roots


def _name_part(name, key):
    try:
        return name.native.get(key) or ""
    except Exception:
        return ""


def outside_event_loop(function, *args, **kwargs):
    """Call pyHanko's synchronous API (it runs asyncio inside) even from a thread whose event loop is
    already running (Playwright's sync API, an async server): then in a worker thread of its own."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def verify_pdf(data: bytes) -> Report:
    return outside_event_loop(_verify_pdf, data, trust_roots())


def _verify_pdf(data: bytes, roots) -> Report:
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    if not data.startswith(b"%PDF"):
        return Report([], "Tệp không phải PDF.")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = reader.embedded_signatures
    except (PdfReadError, Exception):
        return Report([], "Không đọc được tệp PDF.")
    checks = []
    for signature in embedded:
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        try:
            status = validate_pdf_signature(signature, context)
        except Exception as error:  # a malformed signature dictionary
            checks.append(SignatureCheck(signature.field_name, "", "", False, False, None, False,
                                         [f"Không kiểm tra được chữ ký: {type(error).__name__}."]))
            continue
        cert = status.signing_cert
        signer = _name_part(cert.subject, "common_name") if cert else ""
        organisation = _name_part(cert.subject, "organization_name") if cert else ""
        moment = status.signer_reported_dt
        coverage = status.coverage.name if status.coverage else ""
        modification = status.modification_level.name if status.modification_level else ""
        coverage_ok = coverage == "ENTIRE_FILE" or (coverage == "ENTIRE_REVISION" and status.docmdp_ok is not False
                                                      and modification in ("NONE", "LTA_UPDATES", "FORM_FILLING"))
        messages = [
            "Toàn vẹn: nội dung không bị thay đổi kể từ khi ký." if status.intact and status.valid
            else "Không toàn vẹn: nội dung hoặc chữ ký đã bị thay đổi sau khi ký.",
            (f"Chứng thư số được tin cậy: chuỗi chứng thực đến một gốc tin cậy đã cấu hình"
             f"{' (' + _name_part(cert.issuer, 'common_name') + ')' if cert else ''}.") if status.trusted
            else "Chứng thư số không được tin cậy: " + TRUST_PROBLEMS.get(
                getattr(status.trust_problem_indic, "name", ""), "không kiểm tra được chuỗi chứng thực.") ,
            (f"Thời điểm ký: {moment.astimezone(VN):%d/%m/%Y %H:%M:%S} (giờ Việt Nam), theo máy của người ký"
             f"{'' if status.timestamp_validity is None else '; có dấu thời gian'}.") if moment
            else "Không có thời điểm ký.",
            "Phạm vi: chữ ký bao trùm toàn bộ tệp." if coverage == "ENTIRE_FILE"
            else ("Phạm vi: sau chữ ký này tệp chỉ được thêm chữ ký khác (được phép)." if coverage_ok
                  else "Phạm vi: tệp có sửa đổi không được phép sau chữ ký này."),
        ]
        checks.append(SignatureCheck(signature.field_name, signer, organisation, bool(status.intact and status.valid),
                                     bool(status.trusted), moment, coverage_ok, messages))
    return Report(checks)
