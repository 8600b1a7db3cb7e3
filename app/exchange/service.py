"""edXML exchange between organisations: an issued, signed directive goes out as a packet; a packet
that comes in is entered in the receiving organisation's incoming register (its signed PDF run
through the importer and its signatures verified); status packets go back as the receiver moves
(01 arrived, 03 registered, 04 assigned, 05 in progress, 06 done) and are read into the sender's
history.

Packets travel through folders (EXCHANGE_DIR): the application writes `outbox/*.edxml` and reads
`inbox/*.edxml`, moving each to `inbox/done/` or `inbox/rejected/` (with a `.txt` giving the reason).
A connector to the provincial platform (LGSP) or the national axis (VPCP's SDK) only has to move files
between those folders and the platform.
"""
import hashlib
import re
import shutil
import uuid
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app import doc_types
from app.clock import local_today, utcnow
from app.exchange import edxml
from app import storage
from app.extensions import db
from app.models import Agency, Directive, ExchangeMessage, ReceivedEntry
from app.models.audit import record
from app.rules import workflow

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# DocumentType/Type: catalogue codes differ between systems (EDXML.md §1.3): configurable, TypeName rules
DEFAULT_TYPE_CODES = {"cong_van": "18"}


class ExchangeError(Exception):
    """Exporting refused, with a Vietnamese message."""


def _now_vn() -> datetime:
    return utcnow().replace(tzinfo=ZoneInfo("UTC")).astimezone(VN).replace(tzinfo=None)


def folder(name: str) -> Path:
    root = Path(current_app.config.get("EXCHANGE_DIR") or Path(current_app.instance_path) / "exchange")
    path = root / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_out(packet: bytes, stem: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9.-]+", "-", stem).strip("-")[:100]
    path = folder("outbox") / f"{_now_vn():%Y%m%d-%H%M%S}-{safe}-{uuid.uuid4().hex[:6]}.edxml"
    path.write_bytes(packet)
    return path


# --- agency codes -------------------------------------------------------------------------------

def assign_demo_codes() -> int:
    """Give every agency without a mã định danh a made-up one of the QĐ 20/2020 shape, its level-1 group
    the letter Z (no such group exists, so a demo code is never mistaken for a real one)."""
    agencies = db.session.scalars(select(Agency).order_by(Agency.id)).all()
    children: dict = {}
    for agency in agencies:
        children.setdefault(agency.parent_id, []).append(agency)
    used = {a.code for a in agencies if a.code}
    made = 0

    def walk(parent_id, parts, level):
        nonlocal made
        for index, agency in enumerate(children.get(parent_id, []), 1):
            mine = list(parts)
            if level == 0:
                mine = ["000", "00", "00", f"Z{index:02d}"]
            elif level == 1:
                mine[2] = f"{index:02d}"
            elif level == 2:
                mine[1] = f"{index:02d}"
            else:
                mine[0] = f"{index + (level - 3) * 100:03d}"
            code = ".".join(mine)
            if not agency.code:
                if code in used:
                    code = f"{agency.id:03d}.99.99.Z99"
                agency.code = code
                used.add(code)
                made += 1
            walk(agency.id, mine, level + 1)

    walk(None, [], 0)
    db.session.flush()
    return made


def organ(agency: Agency) -> edxml.Organ:
    if not agency.code:
        raise ExchangeError(f"{agency.name} chưa có mã định danh (QĐ 20/2020/QĐ-TTg): quản trị cần nhập trước.")
    in_charge = (agency.serves or agency.parent)
    return edxml.Organ(organ_id=agency.code, name=agency.name, in_charge=in_charge.name if in_charge else "",
                       address=agency.place or "")


def agency_by_code(code: str) -> Agency | None:
    return db.session.scalar(select(Agency).where(Agency.code == code)) if code else None


# --- out ----------------------------------------------------------------------------------------

def default_receivers(directive: Directive) -> list[Agency]:
    ids = sorted({a.agency_id for s in directive.live_sections for t in s.live_tasks for a in t.assignments
                  if a.active} - {directive.owner_agency_id})
    return db.session.scalars(select(Agency).where(Agency.id.in_(ids)).order_by(Agency.name)).all() if ids else []


def _due(directive: Directive) -> date | None:
    days = [a.deadline for s in directive.live_sections for t in s.live_tasks for a in t.assignments
            if a.active and a.deadline]
    return min(days) if days else directive.deadline


def _pages(pdf: bytes) -> int:
    return max(1, len(re.findall(rb"/Type\s*/Page[^s]", pdf)))


def export_directive(directive: Directive, user, receivers: list[Agency] | None = None) -> tuple[Path, ExchangeMessage]:
    """The packet of an issued, signed directive, written to the outbox. The caller commits."""
    from app.signing.service import signed_bytes
    if directive.state != "issued" or directive.register_entry is None:
        raise ExchangeError("Chỉ gửi liên thông văn bản đã cấp số và phát hành.")
    signed = signed_bytes(directive)
    if signed is None:
        raise ExchangeError("Văn bản chưa được ký số: lãnh đạo ký và văn thư ký số của cơ quan trước khi gửi.")
    receivers = receivers if receivers is not None else default_receivers(directive)
    if not receivers:
        raise ExchangeError("Văn bản không có cơ quan nhận nào.")
    sender = directive.issuer_agency
    from app.directives.letters import file_name
    type_codes = {**DEFAULT_TYPE_CODES, **(current_app.config.get("EDXML_TYPE_CODES") or {})}
    competence = " ".join(p for p in (directive.signer_authority, directive.signer_authority_title) if p)
    response_for = []
    parent_message = db.session.scalar(select(ExchangeMessage).where(
        ExchangeMessage.directive_id == directive.parent_id, ExchangeMessage.direction == "in",
        ExchangeMessage.kind == "edoc")) if directive.parent_id else None
    if parent_message is not None:  # this letter answers (or carries out) a directive received by edXML
        organ_id, day, code_text = parent_message.document_id.split(",", 2)
        response_for.append({"organ_id": organ_id, "code": code_text, "date": day,
                             "document_id": parent_message.document_id})
    steering = "2" if directive.doc_type == "bao_cao" and response_for else "1"
    document = edxml.Document(
        sender=organ(sender), receivers=[organ(a) for a in receivers], number=directive.number,
        notation=directive.symbol, place=directive.place, promulgation_date=directive.issued_date,
        type_code=type_codes.get(directive.doc_type, "0"), type_name=directive.doc_type_label,
        subject=directive.subject, content=directive.subject, competence=competence,
        position=directive.signer_title, signer=directive.signer_name or "", due_date=_due(directive),
        to_places=[line.text for line in directive.cc_lines], priority=edxml.PRIORITIES.get(directive.urgency, "0"),
        page_amount=_pages(signed), steering_type=steering, response_for=response_for, timestamp=_now_vn(),
        staff={"department": "Văn thư", "staff": user.full_name if user else ""},
        attachments=[edxml.Attachment(name=file_name(directive, "pdf").removesuffix(".pdf") + ".signed.pdf",
                                      content=signed)],
    )
    packet = edxml.write_document(document)
    path = _write_out(packet, document.document_id)
    message = ExchangeMessage(direction="out", kind="edoc", directive_id=directive.id, agency_id=sender.id,
                              peer_code=document.receivers[0].organ_id if len(receivers) == 1 else "",
                              document_id=document.document_id,
                              description=f"Gửi {len(receivers)} cơ quan: " + ", ".join(
                                  f"{r.name} ({r.organ_id})" for r in document.receivers), file_name=path.name,
                              packet_sha256=hashlib.sha256(packet).hexdigest(),
                              attachment_sha256=hashlib.sha256(signed).hexdigest())
    db.session.add(message)
    record(user, "exchange.send", directive, f"Gửi liên thông (edXML) văn bản {directive.number_symbol} "
           f"đến {len(receivers)} cơ quan")
    return path, message


def send_status(directive: Directive, agency: Agency, code: str, description: str, user=None) -> ExchangeMessage | None:
    """A status packet about a directive received by edXML, to its sender (once per code and agency)."""
    incoming = db.session.scalar(select(ExchangeMessage).where(
        ExchangeMessage.directive_id == directive.id, ExchangeMessage.direction == "in",
        ExchangeMessage.kind == "edoc", ExchangeMessage.agency_id == agency.id))
    if incoming is None:
        return None
    sent = db.session.scalar(select(ExchangeMessage).where(
        ExchangeMessage.directive_id == directive.id, ExchangeMessage.direction == "out",
        ExchangeMessage.kind == "status", ExchangeMessage.agency_id == agency.id, ExchangeMessage.status_code == code))
    if sent is not None:
        return None
    organ_id, day, code_text = incoming.document_id.split(",", 2)
    status = edxml.Status(response_for={"organ_id": organ_id, "code": code_text, "date": day,
                                        "document_id": incoming.document_id},
                          sender=organ(agency), code=code, description=description, timestamp=_now_vn(),
                          staff={"staff": user.full_name if user else ""})
    packet = edxml.write_status(status)
    path = _write_out(packet, f"status-{code}-{incoming.document_id}")
    message = ExchangeMessage(direction="out", kind="status", directive_id=directive.id, agency_id=agency.id,
                              peer_code=organ_id, document_id=incoming.document_id, status_code=code,
                              description=description, file_name=path.name,
                              packet_sha256=hashlib.sha256(packet).hexdigest())
    db.session.add(message)
    db.session.flush()
    return message


def assignment_moved(assignment) -> None:
    """Called when an assignment changes status. If its directive reached the assignment's agency by
    edXML, that agency tells the sender: 05 when work starts, 06 when all its work on it is done."""
    directive = assignment.directive
    if directive is None or directive.state not in ("issued", "received"):
        return
    agency = assignment.agency
    if agency is None or not db.session.scalar(select(ExchangeMessage.id).where(
            ExchangeMessage.directive_id == directive.id, ExchangeMessage.direction == "in",
            ExchangeMessage.kind == "edoc", ExchangeMessage.agency_id == agency.id)):
        return
    mine = [a for s in directive.live_sections for t in s.live_tasks for a in t.assignments
            if a.active and a.agency_id == agency.id and a.status != workflow.CANCELLED]
    if mine and all(a.status == workflow.DONE for a in mine):
        send_status(directive, agency, "05", "Đang xử lý")
        send_status(directive, agency, "06", "Hoàn thành xử lý văn bản")
    elif assignment.status in (workflow.IN_PROGRESS, workflow.AWAITING, workflow.DONE):
        send_status(directive, agency, "05", "Đang xử lý")


# --- in -----------------------------------------------------------------------------------------

def _doc_type(name: str) -> str:
    from app.text import fold
    for item in doc_types.DOC_TYPE_LIST:
        if fold(item.label) == fold(name):
            return item.code
    return "cong_van"


def _store_attachment(agency: Agency, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    relative = Path("received") / str(local_today().year) / str(agency.id) / f"{digest}.pdf"
    path = storage.root() / relative  # a record, kept and backed up with the issued letters
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return str(relative)


def _data_from(document: edxml.Document, pdf: bytes) -> tuple[dict, list[str]]:
    """The directive format for the register: the importer's reading of the PDF (sections, tasks), with
    the header as the packet states it (number, notation, date, issuer, subject, signer)."""
    from app.importer.errors import ImportRefused
    from app.importer.service import data_for_save, import_document
    notes = []
    data = None
    try:
        data = data_for_save(import_document(pdf, "van-ban.pdf"))
    except ImportRefused as error:
        notes.append(f"Bộ nhập không đọc được nội dung tệp ({error}); văn bản được vào sổ theo thông tin của gói tin.")
    except Exception:
        notes.append("Bộ nhập không đọc được nội dung tệp; văn bản được vào sổ theo thông tin của gói tin.")
    if data is None:
        data = {"doc_type": None, "issuer": [], "recipients": [], "preamble": "", "sections": [], "closing": "",
                "cc": [], "signer": {}, "urgency": None, "deadline": None}
    issuer = [document.sender.name]
    data.update(
        doc_type=_doc_type(document.type_name), number=document.number, symbol=document.notation,
        date=document.promulgation_date, place=document.place or data.get("place") or "",
        subject=document.subject, issuer=data.get("issuer") or issuer,
        urgency=edxml.PRIORITY_NAMES.get(document.priority) or data.get("urgency"),
    )
    signer = dict(data.get("signer") or {})
    if document.signer:
        signer["name"] = document.signer
    if document.position:
        signer["title"] = document.position
    data["signer"] = {"authority": signer.get("authority"), "authority_title": signer.get("authority_title") or "",
                      "title": signer.get("title") or "", "name": signer.get("name")}
    return data, notes


def import_packet(packet: bytes, user=None) -> list[ExchangeMessage]:
    """Read one packet from the inbox: a document for organisations of this deployment, or a status about
    one we sent. PacketError (Vietnamese) when it is refused; nothing is written then."""
    kind = edxml.kind_of(packet)
    if kind == "status":
        return [_import_status(packet)]
    return _import_document(packet, user)


def _import_document(packet: bytes, user) -> list[ExchangeMessage]:
    from app.directives import received
    from app.signing.verify import verify_pdf
    document = edxml.read_document(packet)
    pdfs = [a for a in document.attachments if a.content.startswith(b"%PDF")]  # sniff, never trust ContentType
    if not pdfs:
        raise edxml.PacketError("Gói tin không có tệp PDF văn bản (đã kiểm tra nội dung, không dựa vào ContentType).")
    main = pdfs[0]
    ours = [(r, agency_by_code(r.organ_id)) for r in document.receivers]
    targets = [a for _r, a in ours if a is not None]
    if not targets:
        raise edxml.PacketError("Không cơ quan nhận nào trong gói tin có mã định danh thuộc hệ thống này ("
                                + ", ".join(r.organ_id for r in document.receivers) + ").")
    digest = hashlib.sha256(main.content).hexdigest()
    report = verify_pdf(main.content)
    messages = []
    for agency in targets:
        if db.session.scalar(select(ExchangeMessage).where(
                ExchangeMessage.direction == "in", ExchangeMessage.kind == "edoc",
                ExchangeMessage.document_id == document.document_id, ExchangeMessage.agency_id == agency.id)):
            raise edxml.PacketError(f"Văn bản {document.document_id} đã được {agency.name} nhận trước đó.")
        internal = _already_in_register(agency, document)
        if internal is not None:  # issued inside this deployment: it arrived by itself; only answer
            message = ExchangeMessage(
                direction="in", kind="edoc", directive_id=internal.directive_id, agency_id=agency.id,
                peer_code=document.sender.organ_id, document_id=document.document_id,
                description=f"Đã có trong sổ văn bản đến số {internal.sequence} (nhận trong hệ thống). "
                            f"Chữ ký số của tệp: {report.summary}",
                packet_sha256=hashlib.sha256(packet).hexdigest(), attachment_sha256=digest)
            db.session.add(message)
            db.session.flush()
            send_status(internal.directive, agency, "01", "Văn bản đã đến hệ thống của cơ quan nhận")
            send_status(internal.directive, agency, "03", f"Đã vào sổ đến số {internal.sequence}")
            send_status(internal.directive, agency, "04", "Đã giao xử lý (nhiệm vụ của văn bản đã được giao)")
            messages.append(message)
            continue
        data, notes = _data_from(document, main.content)
        try:
            directive, entry = received.register(data, agency, user, local_today(), document.due_date)
        except received.ReceiveError as error:
            raise edxml.PacketError(f"Không vào sổ được cho {agency.name}: {error}") from None
        path = _store_attachment(agency, main.content)
        message = ExchangeMessage(
            direction="in", kind="edoc", directive_id=directive.id, agency_id=agency.id,
            peer_code=document.sender.organ_id, document_id=document.document_id,
            description=" ".join([f"Chữ ký số của tệp: {report.summary}", *notes]),
            packet_sha256=hashlib.sha256(packet).hexdigest(), attachment_sha256=digest, attachment_path=path)
        db.session.add(message)
        db.session.flush()
        send_status(directive, agency, "01", "Văn bản đã đến hệ thống của cơ quan nhận")
        send_status(directive, agency, "03", f"Văn thư đã tiếp nhận, vào sổ đến số {entry.sequence}")
        send_status(directive, agency, "04", "Đã giao xử lý (nhiệm vụ của văn bản đã được giao)")
        messages.append(message)
    return messages


def _already_in_register(agency: Agency, document: edxml.Document) -> ReceivedEntry | None:
    """The same letter (issuer's code, number, notation, date) already in the agency's incoming register."""
    return db.session.scalar(
        select(ReceivedEntry).join(Directive, ReceivedEntry.directive_id == Directive.id)
        .join(Agency, Directive.issuer_agency_id == Agency.id)
        .where(ReceivedEntry.agency_id == agency.id, Agency.code == document.sender.organ_id,
               Directive.number == document.number, Directive.symbol == document.notation,
               Directive.issued_date == document.promulgation_date))


def _import_status(packet: bytes) -> ExchangeMessage:
    status = edxml.read_status(packet)
    sent = db.session.scalar(select(ExchangeMessage).where(
        ExchangeMessage.direction == "out", ExchangeMessage.kind == "edoc",
        ExchangeMessage.document_id == status.response_for["document_id"]).order_by(ExchangeMessage.id.desc()))
    if sent is None:
        raise edxml.PacketError(f"Gói tin trạng thái nói về văn bản {status.response_for['document_id']} "
                                "mà hệ thống chưa gửi đi.")
    message = ExchangeMessage(
        direction="in", kind="status", directive_id=sent.directive_id, agency_id=sent.agency_id,
        peer_code=status.sender.organ_id, document_id=sent.document_id, status_code=status.code,
        description=f"{status.sender.name or status.sender.organ_id}: {edxml.STATUS_LABELS[status.code]}"
                    f"{' – ' + status.description if status.description else ''}",
        packet_sha256=hashlib.sha256(packet).hexdigest())
    db.session.add(message)
    db.session.flush()
    return message


def history(directive: Directive) -> list[ExchangeMessage]:
    return db.session.scalars(select(ExchangeMessage).where(ExchangeMessage.directive_id == directive.id)
                              .order_by(ExchangeMessage.id)).all()


# --- folders ------------------------------------------------------------------------------------

def process_inbox(user=None) -> tuple[int, list[tuple[str, str]]]:
    """Import every packet of inbox/ in name order; (imported, [(file, reason) refused])."""
    inbox = folder("inbox")
    done, rejected = folder("inbox/done"), folder("inbox/rejected")
    imported, refused = 0, []
    for path in sorted(inbox.glob("*.edxml")):
        try:
            import_packet(path.read_bytes(), user)
            db.session.commit()
        except edxml.PacketError as error:
            db.session.rollback()
            refused.append((path.name, str(error)))
            reject(path.read_bytes(), str(error))
            db.session.commit()
            shutil.move(str(path), rejected / path.name)
            (rejected / f"{path.name}.txt").write_text(str(error) + "\n", encoding="utf-8")
            continue
        shutil.move(str(path), done / path.name)
        imported += 1
    return imported, refused


def reject(packet: bytes, reason: str) -> ExchangeMessage | None:
    """Status 02 (từ chối tiếp nhận) back to the sender of a document refused here, when its header can be
    read well enough to know who sent it and which of our organisations it was for."""
    try:
        if edxml.kind_of(packet) != "edoc":
            return None
        document = edxml.read_document(packet)
    except edxml.PacketError:
        return None
    ours = [agency for agency in (agency_by_code(r.organ_id) for r in document.receivers) if agency is not None]
    if not ours:
        return None
    status = edxml.Status(response_for={"organ_id": document.sender.organ_id,
                                        "code": f"{document.number}/{document.notation}",
                                        "date": document.promulgation_date, "document_id": document.document_id},
                          sender=organ(ours[0]), code="02", description=reason[:500], timestamp=_now_vn())
    packet_out = edxml.write_status(status)
    path = _write_out(packet_out, f"status-02-{document.document_id}")
    message = ExchangeMessage(direction="out", kind="status", agency_id=ours[0].id, peer_code=document.sender.organ_id,
                              document_id=document.document_id, status_code="02", description=reason[:500],
                              file_name=path.name, packet_sha256=hashlib.sha256(packet_out).hexdigest())
    db.session.add(message)
    db.session.flush()
    return message


def loopback() -> int:
    """The demo's stand-in for the platform: move every outbox packet into the inbox."""
    moved = 0
    inbox = folder("inbox")
    for path in sorted(folder("outbox").glob("*.edxml")):
        shutil.move(str(path), inbox / path.name)
        moved += 1
    return moved
