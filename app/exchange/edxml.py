"""edXML packets (QCVN 102:2016/BTTTT, amended 2022), written and read as ../shared/EDXML.md §1.9 says:

- the root `edXML` takes the namespace as its default; `edXMLEnvelope` declares the prefix `edXML:`
  for the same URI and every element inside the envelope carries it; `AttachmentEncoded` and its
  children stay unprefixed, except `ContentTransferEncoded`;
- dates are written `yyyy/MM/dd` and timestamps `yyyy/MM/dd HH:mm:ss`, Việt Nam time; `dd/MM/yyyy`
  is read too;
- `Bussiness` (double s) is written; `Business`, `OrganInCharge` and `PromulgationInfo/Date` are read;
- the reader ignores the order of elements, refuses DTDs and entities, never touches the network.

Every packet written is validated against app/exchange/edxml.xsd (our own schema, from the notes).
"""
import base64
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
XSD_PATH = Path(__file__).resolve().parent / "edxml.xsd"
MAX_PACKET_BYTES = 50 * 1024 * 1024

STATUS_LABELS = {
    "01": "Đã đến", "02": "Từ chối tiếp nhận", "03": "Đã tiếp nhận, vào sổ", "04": "Đã phân công xử lý",
    "05": "Đang xử lý", "06": "Hoàn thành", "13": "Đề nghị lấy lại", "15": "Đồng ý lấy lại, cập nhật",
    "16": "Từ chối lấy lại, cập nhật",
}
PRIORITIES = {None: "0", "": "0", "khan": "1", "thuong_khan": "2", "hoa_toc": "3"}
PRIORITY_NAMES = {v: k for k, v in PRIORITIES.items() if k}


class PacketError(ValueError):
    """A packet refused, with a Vietnamese message that says what is wrong."""


# --- writing ------------------------------------------------------------------------------------

class E:
    """An element to serialise: `prefixed` elements are written `edXML:name`."""

    def __init__(self, name, *children, text=None, prefixed=True, attrs=None, xmlns=None):
        self.name, self.children, self.text = name, [c for c in children if c is not None], text
        self.prefixed, self.attrs, self.xmlns = prefixed, attrs or {}, xmlns

    def write(self, out: list, depth: int = 0) -> None:
        tag = f"edXML:{self.name}" if self.prefixed else self.name
        attrs = "".join(f" {k}={quoteattr(v)}" for k, v in self.attrs.items())
        if self.xmlns:
            attrs = "".join(f" {k}={quoteattr(v)}" for k, v in self.xmlns.items()) + attrs
        pad = "  " * depth
        if self.children:
            out.append(f"{pad}<{tag}{attrs}>\n")
            for child in self.children:
                child.write(out, depth + 1)
            out.append(f"{pad}</{tag}>\n")
        elif self.text is None or self.text == "":
            out.append(f"{pad}<{tag}{attrs}/>\n")
        else:
            out.append(f"{pad}<{tag}{attrs}>{escape(str(self.text))}</{tag}>\n")


def ymd(day: date | None) -> str:
    return f"{day:%Y/%m/%d}" if day else ""


def stamp(moment: datetime) -> str:
    return f"{moment:%Y/%m/%d %H:%M:%S}"


def document_id(organ_id: str, day: date, number: str, notation: str) -> str:
    return f"{organ_id},{ymd(day)},{number}/{notation}"


@dataclass
class Organ:
    organ_id: str
    name: str
    in_charge: str = ""
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""

    def element(self, tag: str) -> E:
        return E(tag, E("OrganId", text=self.organ_id), E("OrganizationInCharge", text=self.in_charge),
                 E("OrganName", text=self.name), E("OrganAdd", text=self.address), E("Email", text=self.email),
                 E("Telephone", text=self.telephone), E("Fax", text=self.fax), E("Website", text=self.website))


@dataclass
class Attachment:
    name: str
    content: bytes
    content_type: str = "application/pdf"
    description: str = "Văn bản chính (đã ký số)"
    content_id: str = ""


@dataclass
class Document:
    """What an edoc packet says (MessageHeader, TraceHeaderList, the attachments)."""
    sender: Organ
    receivers: list[Organ]
    number: str
    notation: str
    place: str
    promulgation_date: date
    type_code: str
    type_name: str
    subject: str
    content: str = ""
    competence: str = ""
    position: str = ""
    signer: str = ""
    due_date: date | None = None
    to_places: list[str] = field(default_factory=list)
    priority: str = "0"
    sphere: str = "Liên thông văn bản quốc gia"
    typer_notation: str = ""
    promulgation_amount: int = 1
    page_amount: int = 1
    appendixes: list[str] = field(default_factory=list)
    steering_type: str = "1"
    response_for: list[dict] = field(default_factory=list)  # {organ_id, code, date, document_id}
    timestamp: datetime | None = None
    staff: dict = field(default_factory=dict)  # department, staff, mobile, email
    attachments: list[Attachment] = field(default_factory=list)
    trace: list[tuple[str, str]] = field(default_factory=list)  # (OrganId, Timestamp) as read

    @property
    def document_id(self) -> str:
        return document_id(self.sender.organ_id, self.promulgation_date, self.number, self.notation)


@dataclass
class Status:
    response_for: dict  # organ_id, code, date, document_id
    sender: Organ
    code: str
    description: str
    timestamp: datetime
    staff: dict = field(default_factory=dict)


def _staff(staff: dict) -> E:
    return E("StaffInfo", E("Department", text=staff.get("department", "")), E("Staff", text=staff.get("staff", "")),
             E("Mobile", text=staff.get("mobile", "")), E("Email", text=staff.get("email", "")))


def _response_for(item: dict) -> E:
    return E("ResponseFor", E("OrganId", text=item["organ_id"]), E("Code", text=item["code"]),
             E("PromulgationDate", text=ymd(item["date"]) if isinstance(item["date"], date) else item["date"]),
             E("DocumentId", text=item["document_id"]))


def _serialise(envelope_children: list[E], after: E | None = None) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<edXML xmlns="{NS}">\n']
    E("edXMLEnvelope", *envelope_children, xmlns={"xmlns:edXML": NS}).write(out, 1)
    if after is not None:
        after.write(out, 1)
    out.append("</edXML>\n")
    return "".join(out).encode("utf-8")


def write_document(doc: Document) -> bytes:
    for index, attachment in enumerate(doc.attachments):
        attachment.content_id = attachment.content_id or f"cid:{index + 1}-{doc.document_id}"
    codes = [r.organ_id for r in doc.receivers]
    if len(set(codes)) != len(codes):
        raise PacketError("Một cơ quan nhận xuất hiện hai lần trong gói tin.")
    header = E("MessageHeader",
               doc.sender.element("From"), *[r.element("To") for r in doc.receivers],
               E("DocumentId", text=doc.document_id),
               E("Code", E("CodeNumber", text=doc.number), E("CodeNotation", text=doc.notation)),
               E("PromulgationInfo", E("Place", text=doc.place), E("PromulgationDate", text=ymd(doc.promulgation_date))),
               E("DocumentType", E("Type", text=doc.type_code), E("TypeName", text=doc.type_name)),
               E("Subject", text=doc.subject[:500]), E("Content", text=(doc.content or doc.subject)[:500]),
               E("SignerInfo", E("Competence", text=doc.competence), E("Position", text=doc.position),
                 E("FullName", text=doc.signer)),
               E("DueDate", text=ymd(doc.due_date)) if doc.due_date else None,
               E("ToPlaces", *[E("Place", text=p[:150]) for p in doc.to_places]),
               E("OtherInfo", E("Priority", text=doc.priority), E("SphereOfPromulgation", text=doc.sphere),
                 E("TyperNotation", text=doc.typer_notation), E("PromulgationAmount", text=str(doc.promulgation_amount)),
                 E("PageAmount", text=str(doc.page_amount)),
                 E("Appendixes", *[E("Appendix", text=a[:250]) for a in doc.appendixes])),
               *[_response_for(r) for r in doc.response_for],
               E("SteeringType", text=doc.steering_type))
    trace = E("TraceHeaderList",
              E("TraceHeader", E("OrganId", text=doc.sender.organ_id), E("Timestamp", text=stamp(doc.timestamp))),
              E("Bussiness", E("DocumentId", text=doc.document_id), E("BussinessDocType", text="0"),
                E("BussinessDocReason", text="Văn bản điện tử mới"), E("Paper", text="0"), _staff(doc.staff)))
    body = E("edXMLBody", E("edXMLManifest", *[
        E("Reference", E("ContentId", text=a.content_id), E("ContentType", text=a.content_type),
          E("Description", text=a.description), E("AttachmentName", text=a.name[:200]))
        for a in doc.attachments], attrs={"version": "1.0"}))
    encoded = E("AttachmentEncoded", *[
        E("Attachment", E("ContentId", text=a.content_id, prefixed=False),
          E("AttachmentName", text=a.name[:200], prefixed=False), E("Description", text=a.description, prefixed=False),
          E("ContentType", text=a.content_type, prefixed=False),
          E("ContentTransferEncoded", text=base64.b64encode(a.content).decode("ascii"), xmlns={"xmlns:edXML": NS}),
          prefixed=False)
        for a in doc.attachments], prefixed=False)
    packet = _serialise([E("edXMLHeader", header, trace), body], encoded)
    validate(packet)
    return packet


def write_status(status: Status) -> bytes:
    packet = _serialise([E("edXMLHeader", E(
        "Status", _response_for(status.response_for), status.sender.element("From"),
        E("StatusCode", text=status.code), E("Description", text=status.description[:500]),
        E("Timestamp", text=stamp(status.timestamp)), _staff(status.staff)))])
    validate(packet)
    return packet


_schema = None


def schema() -> etree.XMLSchema:
    global _schema
    if _schema is None:
        _schema = etree.XMLSchema(etree.parse(str(XSD_PATH), _parser()))
    return _schema


def validate(packet: bytes) -> None:
    """Refuse (PacketError) a packet our own XSD does not accept; used on every packet written."""
    tree = etree.fromstring(packet, _parser())
    if not schema().validate(tree):
        errors = "; ".join(f"dòng {e.line}: {e.message}" for e in list(schema().error_log)[:5])
        raise PacketError(f"Gói tin không đúng lược đồ edXML: {errors}")


# --- reading ------------------------------------------------------------------------------------

def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True)


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _child(element, *names):
    if element is None:
        return None
    for child in element:
        if _local(child) in names:
            return child
    return None


def _children(element, *names):
    return [child for child in (element if element is not None else []) if _local(child) in names]


def _text(element, *names) -> str:
    found = _child(element, *names)
    return (found.text or "").strip() if found is not None else ""


def _find(root, *names):
    """The first descendant with one of these local names (any order, any depth)."""
    for element in root.iter():
        if _local(element) in names:
            return element
    return None


def parse_date(text: str) -> date | None:
    text = (text or "").strip()
    for pattern in ("%Y/%m/%d", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    return None


def parse_stamp(text: str) -> datetime | None:
    text = (text or "").strip()
    for pattern in ("%Y/%m/%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text[:19], pattern)
        except ValueError:
            continue
    return None


def _organ(element) -> Organ:
    return Organ(organ_id=_text(element, "OrganId"), name=_text(element, "OrganName"),
                 in_charge=_text(element, "OrganizationInCharge", "OrganInCharge"), address=_text(element, "OrganAdd"),
                 email=_text(element, "Email"), telephone=_text(element, "Telephone"), fax=_text(element, "Fax"),
                 website=_text(element, "Website"))


def _root(packet: bytes):
    if not packet or len(packet) > MAX_PACKET_BYTES:
        raise PacketError("Gói tin rỗng hoặc quá lớn.")
    if b"<!DOCTYPE" in packet[:4096] or b"<!ENTITY" in packet:
        raise PacketError("Gói tin có khai báo DOCTYPE hoặc ENTITY: không nhận (an toàn).")
    try:
        root = etree.fromstring(packet, _parser())
    except etree.XMLSyntaxError as error:
        raise PacketError(f"Gói tin không phải XML hợp lệ ({error.msg}, dòng {error.lineno}).") from None
    if etree.QName(root).localname != "edXML" or etree.QName(root).namespace != NS:
        raise PacketError(f"Gói tin không phải edXML: phần tử gốc phải là edXML thuộc không gian tên {NS}.")
    if _child(root, "edXMLEnvelope") is None or _find(root, "edXMLHeader") is None:
        raise PacketError("Gói tin thiếu edXMLEnvelope/edXMLHeader.")
    return root


def kind_of(packet: bytes) -> str:
    """"edoc" or "status" (PacketError when it is neither)."""
    root = _root(packet)
    header = _find(root, "edXMLHeader")
    if _child(header, "Status") is not None:
        return "status"
    if _child(header, "MessageHeader") is not None:
        return "edoc"
    raise PacketError("Gói tin không có MessageHeader (văn bản) hay Status (trạng thái).")


def read_document(packet: bytes) -> Document:
    root = _root(packet)
    header = _child(_find(root, "edXMLHeader"), "MessageHeader")
    if header is None:
        raise PacketError("Gói tin thiếu MessageHeader.")
    missing = []
    sender = _child(header, "From")
    if sender is None or not _text(sender, "OrganId"):
        missing.append("From/OrganId (mã định danh cơ quan gửi)")
    receivers = [_organ(t) for t in _children(header, "To")]
    if not receivers:
        missing.append("To (cơ quan nhận)")
    code = _child(header, "Code")
    number, notation = _text(code, "CodeNumber"), _text(code, "CodeNotation")
    if not number or not notation:
        missing.append("Code/CodeNumber và CodeNotation (số, ký hiệu)")
    info = _child(header, "PromulgationInfo")
    day = parse_date(_text(info, "PromulgationDate", "Date"))
    if day is None:
        missing.append("PromulgationInfo/PromulgationDate (ngày ban hành, yyyy/MM/dd)")
    subject = _text(header, "Subject")
    if not subject:
        missing.append("Subject (trích yếu)")
    doc_type = _child(header, "DocumentType")
    if not _text(doc_type, "TypeName"):
        missing.append("DocumentType/TypeName (loại văn bản)")
    references = {_text(r, "ContentId"): r for r in _children(_find(root, "edXMLManifest"), "Reference")}
    attachments = []
    encoded = _child(root, "AttachmentEncoded")
    for item in _children(encoded, "Attachment"):
        content_id = _text(item, "ContentId")
        payload = re.sub(r"\s+", "", _text(item, "ContentTransferEncoded"))
        try:
            content = base64.b64decode(payload, validate=True)
        except (ValueError, TypeError):
            raise PacketError(f"Tệp đính kèm {_text(item, 'AttachmentName') or content_id} không giải mã được base64.") from None
        if references and content_id not in references:
            raise PacketError(f"Tệp đính kèm {content_id} không có trong edXMLManifest.")
        attachments.append(Attachment(name=_text(item, "AttachmentName"), content=content,
                                      content_type=_text(item, "ContentType"), description=_text(item, "Description"),
                                      content_id=content_id))
    if not attachments:
        missing.append("AttachmentEncoded/Attachment (tệp văn bản)")
    if missing:
        raise PacketError("Gói tin thiếu: " + "; ".join(missing) + ".")
    signer = _child(header, "SignerInfo")
    other = _child(header, "OtherInfo")
    trace_list = _find(root, "TraceHeaderList")
    trace = [(_text(t, "OrganId"), _text(t, "Timestamp")) for t in _children(trace_list, "TraceHeader")]
    business = _child(trace_list, "Bussiness", "Business")
    staff_el = _child(business, "StaffInfo")
    return Document(
        sender=_organ(sender), receivers=receivers, number=number, notation=notation,
        place=_text(info, "Place"), promulgation_date=day, type_code=_text(doc_type, "Type"),
        type_name=_text(doc_type, "TypeName"), subject=subject, content=_text(header, "Content"),
        competence=_text(signer, "Competence"), position=_text(signer, "Position"), signer=_text(signer, "FullName"),
        due_date=parse_date(_text(header, "DueDate")),
        to_places=[(p.text or "").strip() for p in _children(_child(header, "ToPlaces"), "Place")],
        priority=_text(other, "Priority") or "0", sphere=_text(other, "SphereOfPromulgation"),
        typer_notation=_text(other, "TyperNotation"),
        page_amount=int(_text(other, "PageAmount") or 1) if _text(other, "PageAmount").isdigit() else 1,
        steering_type=_text(header, "SteeringType") or "0",
        response_for=[{"organ_id": _text(r, "OrganId"), "code": _text(r, "Code"), "date": _text(r, "PromulgationDate"),
                       "document_id": _text(r, "DocumentId")} for r in _children(header, "ResponseFor")],
        timestamp=parse_stamp(trace[0][1]) if trace else None,
        staff={k: _text(staff_el, n) for k, n in (("department", "Department"), ("staff", "Staff"),
                                                  ("mobile", "Mobile"), ("email", "Email"))},
        attachments=attachments, trace=trace,
    )


def read_status(packet: bytes) -> Status:
    root = _root(packet)
    element = _child(_find(root, "edXMLHeader"), "Status")
    if element is None:
        raise PacketError("Gói tin thiếu Status.")
    response = _child(element, "ResponseFor")
    code = _text(element, "StatusCode")
    missing = []
    if response is None or not _text(response, "DocumentId"):
        missing.append("ResponseFor/DocumentId (văn bản được báo trạng thái)")
    if code not in STATUS_LABELS:
        missing.append(f"StatusCode hợp lệ (01–06, 13, 15, 16; nhận được “{code}”)")
    sender = _child(element, "From")
    if sender is None or not _text(sender, "OrganId"):
        missing.append("From/OrganId (cơ quan báo trạng thái)")
    if missing:
        raise PacketError("Gói tin trạng thái thiếu: " + "; ".join(missing) + ".")
    staff_el = _child(element, "StaffInfo")
    return Status(
        response_for={"organ_id": _text(response, "OrganId"), "code": _text(response, "Code"),
                      "date": _text(response, "PromulgationDate"), "document_id": _text(response, "DocumentId")},
        sender=_organ(sender), code=code, description=_text(element, "Description"),
        timestamp=parse_stamp(_text(element, "Timestamp")) or datetime.min,
        staff={k: _text(staff_el, n) for k, n in (("department", "Department"), ("staff", "Staff"),
                                                  ("mobile", "Mobile"), ("email", "Email"))})
