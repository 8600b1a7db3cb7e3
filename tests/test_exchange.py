"""edXML exchange: a signed directive of UBND tỉnh Kon Tum goes out as a packet (our XSD, the prefixes
of EDXML.md §1.9), UBND tỉnh Đắk Lắk's system reads it from its inbox into its incoming register (the
signed PDF through the importer, same number, notation, date and attachment hash), status packets come
back as the receiver moves; malformed packets are refused with a Vietnamese message."""
import base64
import hashlib
import re

import pytest
from lxml import etree
from sqlalchemy import select

from app.directives import letters
from app.exchange import edxml, service as exchange
from app.extensions import db
from app.models import Agency, Directive, ExchangeMessage, ReceivedEntry
from app.signing import service as signing
from tests.helpers import directive_from, user_named

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
NS = "{http://www.mic.gov.vn/TBT/QCVN_102_2016}"


@pytest.fixture
def sent(demo, tmp_path):
    """Seed 001 issued, signed by its leader and its organisation, exported to UBND tỉnh Đắk Lắk."""
    demo.config["GENERATED_DIR"] = str(tmp_path / "generated")
    demo.config["EXCHANGE_DIR"] = str(tmp_path / "exchange")
    with demo.app_context():
        directive = directive_from("001")
        letters.issue(directive, user_named("vanthu"))
        signing.demo_credentials([user_named("lanhdao")], [directive.issuer_agency])
        signing.sign_as_leader(directive, user_named("lanhdao"))
        signing.seal_as_clerk(directive, user_named("vanthu"))
        exchange.assign_demo_codes()
        daklak = db.session.scalar(select(Agency).where(Agency.name == "Ủy ban nhân dân tỉnh Đắk Lắk"))
        path, _message = exchange.export_directive(directive, user_named("vanthu"), [daklak])
        db.session.commit()
        return {"directive_id": directive.id, "path": path, "daklak_id": daklak.id,
                "signed_sha256": hashlib.sha256(signing.signed_bytes(directive)).hexdigest()}


def test_packet_layout_prefixes_and_schema(demo, sent):
    packet = sent["path"].read_bytes()
    edxml.validate(packet)
    text = packet.decode()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">')
    assert '<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">' in text
    envelope = text[text.index("<edXML:edXMLEnvelope"):text.index("</edXML:edXMLEnvelope>")]
    assert not re.findall(r"<(?!edXML:|/edXML:)[A-Za-z]", envelope)  # every element inside carries the prefix
    tail = text[text.index("<AttachmentEncoded>"):]
    assert "<Attachment>" in tail and "<ContentId>" in tail and "<edXML:ContentTransferEncoded" in tail
    root = etree.fromstring(packet)
    header = root.find(f"{NS}edXMLEnvelope/{NS}edXMLHeader/{NS}MessageHeader")
    with demo.app_context():
        directive = db.session.get(Directive, sent["directive_id"])
        code = directive.issuer_agency.code
        assert header.findtext(f"{NS}DocumentId") == f"{code},{directive.issued_date:%Y/%m/%d},{directive.number}/{directive.symbol}"
        assert header.findtext(f"{NS}Code/{NS}CodeNumber") == directive.number
        assert header.findtext(f"{NS}PromulgationInfo/{NS}PromulgationDate") == f"{directive.issued_date:%Y/%m/%d}"
        assert header.findtext(f"{NS}SignerInfo/{NS}FullName") == "Lê Ngọc Tuấn"
        assert header.findtext(f"{NS}SignerInfo/{NS}Competence") == "TM. ỦY BAN NHÂN DÂN"
    assert header.findtext(f"{NS}SteeringType") == "1"
    assert header.findtext(f"{NS}DocumentType/{NS}TypeName") == "Công văn"
    assert [t.findtext(f"{NS}OrganName") for t in header.findall(f"{NS}To")] == ["Ủy ban nhân dân tỉnh Đắk Lắk"]
    assert root.find(f".//{NS}TraceHeaderList/{NS}Bussiness/{NS}BussinessDocType").text == "0"
    payload = root.findtext(f"{NS}AttachmentEncoded/{NS}Attachment/{NS}ContentTransferEncoded")
    assert hashlib.sha256(base64.b64decode(payload)).hexdigest() == sent["signed_sha256"]
    assert root.findtext(f"{NS}AttachmentEncoded/{NS}Attachment/{NS}ContentId") == \
        root.findtext(f".//{NS}edXMLManifest/{NS}Reference/{NS}ContentId")


def test_round_trip_into_the_receivers_register_and_statuses_back(demo, sent):
    with demo.app_context():
        assert exchange.loopback() == 1
        imported, refused = exchange.process_inbox()
        assert (imported, refused) == (1, [])
        original = db.session.get(Directive, sent["directive_id"])
        incoming = db.session.scalar(select(ExchangeMessage).where(ExchangeMessage.direction == "in",
                                                                   ExchangeMessage.kind == "edoc"))
        received = incoming.directive
        assert received.state == "received" and received.owner_agency_id == sent["daklak_id"]
        assert (received.number, received.symbol, received.issued_date, received.subject, received.doc_type) == \
            (original.number, original.symbol, original.issued_date, original.subject, original.doc_type)
        assert received.signer_name == "Lê Ngọc Tuấn"
        assert incoming.attachment_sha256 == sent["signed_sha256"]
        from pathlib import Path
        stored = Path(demo.config["STORAGE_DIR"]) / incoming.attachment_path
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == sent["signed_sha256"]
        assert "Hợp lệ: 2 chữ ký số" in incoming.description
        # the importer read the sections and tasks out of the signed PDF
        assert len([t for s in received.live_sections for t in s.live_tasks]) > 3
        entry = db.session.scalar(select(ReceivedEntry).where(ReceivedEntry.directive_id == received.id))
        assert entry.agency_id == sent["daklak_id"] and entry.source == "external"
        codes = [m.status_code for m in db.session.scalars(select(ExchangeMessage).where(
            ExchangeMessage.direction == "out", ExchangeMessage.kind == "status").order_by(ExchangeMessage.id))]
        assert codes == ["01", "03", "04"]
        # the same packet a second time is refused
        assert exchange.loopback() == 3
        imported, refused = exchange.process_inbox()
        assert imported == 3 and refused == []
        back = [m.status_code for m in exchange.history(original) if m.direction == "in"]
        assert back == ["01", "03", "04"]

        # Đắk Lắk starts work, then finishes: 05 and 06 go back
        from app.tracking.service import change_assignment
        assignments = [a for s in received.live_sections for t in s.live_tasks for a in t.assignments if a.active]
        worker = user_named("daklak.vp")
        change_assignment(assignments[0], worker, "start", None, "", assignments[0].version)
        db.session.commit()
        exchange.loopback()
        exchange.process_inbox()
        back = [m.status_code for m in exchange.history(original) if m.direction == "in"]
        assert back == ["01", "03", "04", "05"]
        descriptions = [m.description for m in exchange.history(original) if m.direction == "in"]
        assert descriptions[1].startswith("Ủy ban nhân dân tỉnh Đắk Lắk: Đã tiếp nhận, vào sổ")
        for assignment in assignments:  # reported done and confirmed: 06, once
            change_assignment(assignment, worker, "submit", 100, "Đã thực hiện", assignment.version)
            db.session.flush()
            change_assignment(assignment, worker, "confirm", None, "", assignment.version)
            db.session.flush()
        db.session.commit()
        exchange.loopback()
        exchange.process_inbox()
        back = [m.status_code for m in exchange.history(original) if m.direction == "in"]
        assert back == ["01", "03", "04", "05", "06"]


def test_the_same_document_twice_is_refused(demo, sent):
    packet = sent["path"].read_bytes()
    with demo.app_context():
        exchange.import_packet(packet)
        db.session.commit()
        with pytest.raises(edxml.PacketError, match="đã được .* nhận trước đó"):
            exchange.import_packet(packet)


def _replace(packet: bytes, old: bytes, new: bytes) -> bytes:
    assert old in packet
    return packet.replace(old, new, 1)


@pytest.mark.parametrize("mutate, message", [
    (lambda p: b"not xml at all", "không phải XML"),
    (lambda p: p.replace(b"http://www.mic.gov.vn/TBT/QCVN_102_2016", b"http://www.go.vn/eDoc"), "không phải edXML"),
    (lambda p: re.sub(rb"<edXML:CodeNumber>[^<]*</edXML:CodeNumber>", b"", p), "Code/CodeNumber"),
    (lambda p: re.sub(rb"<edXML:Subject>[^<]*</edXML:Subject>", b"", p), "Subject"),
    (lambda p: re.sub(rb"(<edXML:ContentTransferEncoded[^>]*>)JVBER", rb"\1!!!!", p), "base64"),
    (lambda p: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + p[p.index(b"<edXML "):], "DOCTYPE"),
    (lambda p: re.sub(rb"<edXML:OrganId>[^<]*</edXML:OrganId>", b"<edXML:OrganId>999.99.99.X99</edXML:OrganId>", p),
     "thuộc hệ thống này"),
])
def test_malformed_packets_are_refused_with_a_message(demo, sent, mutate, message):
    packet = mutate(sent["path"].read_bytes())
    with demo.app_context():
        with pytest.raises(edxml.PacketError, match=message):
            exchange.import_packet(packet)


def test_inbox_moves_a_bad_packet_aside_with_its_reason(demo, sent):
    with demo.app_context():
        inbox = exchange.folder("inbox")
        (inbox / "bad.edxml").write_bytes(b"<edXML/>")
        imported, refused = exchange.process_inbox()
        assert imported == 0 and refused[0][0] == "bad.edxml"
        reason = (exchange.folder("inbox/rejected") / "bad.edxml.txt").read_text(encoding="utf-8")
        assert "không phải edXML" in reason


def test_status_for_an_unknown_document_is_refused(demo, sent):
    from datetime import datetime
    packet = edxml.write_status(edxml.Status(
        {"organ_id": "000.00.00.Z01", "code": "1/UBND-X", "date": "2026/06/15",
         "document_id": "000.00.00.Z01,2026/06/15,1/UBND-X"},
        edxml.Organ("000.00.00.Z02", "Khác"), "03", "", datetime(2026, 6, 15, 9, 0)))
    with demo.app_context():
        with pytest.raises(edxml.PacketError, match="chưa gửi đi"):
            exchange.import_packet(packet)


def test_reader_accepts_variant_spellings_and_any_order(demo, sent):
    packet = sent["path"].read_bytes()
    packet = packet.replace(b"Bussiness", b"Business").replace(b"OrganizationInCharge", b"OrganInCharge")
    packet = packet.replace(b"<edXML:PromulgationDate>", b"<edXML:Date>").replace(b"</edXML:PromulgationDate>", b"</edXML:Date>")
    # DocumentId moved to the end of the MessageHeader
    match = re.search(rb"\s*<edXML:DocumentId>[^<]*</edXML:DocumentId>", packet)
    packet = packet.replace(match.group(0), b"", 1).replace(b"</edXML:MessageHeader>", match.group(0) + b"</edXML:MessageHeader>", 1)
    with demo.app_context():
        document = edxml.read_document(packet)
        original = db.session.get(Directive, sent["directive_id"])
        assert document.number == original.number and document.promulgation_date == original.issued_date


def test_web_send_and_receive(demo, sent, login, tmp_path):
    from io import BytesIO
    from tests.helpers import csrf_from
    url = f"/van-ban/{sent['directive_id']}"
    clerk = login("vanthu")
    page = clerk.get(url).get_data(as_text=True)
    assert "Gửi liên thông (edXML)" in page and 'data-testid="exchange"' in page
    assert login("lanhdao").post_form(f"{url}/gui-lien-thong", {}, page=url).status_code == 403
    assert clerk.post_form(f"{url}/gui-lien-thong", {}, page=url).status_code == 302
    assert "Đã ghi gói tin edXML" in clerk.get(url).get_data(as_text=True)
    receiver = login("daklak.vt")
    html = receiver.get("/lien-thong/nhan").get_data(as_text=True)
    response = receiver.client.post("/lien-thong/nhan", data={
        "csrf_token": csrf_from(html), "file": (BytesIO(sent["path"].read_bytes()), "p.edxml")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    shown = receiver.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/van-ban/\d+/lien-thong/\d+\.pdf)"', shown).group(1)
    got = receiver.get(link)
    assert got.status_code == 200 and hashlib.sha256(got.data).hexdigest() == sent["signed_sha256"]
    assert clerk.get(link).status_code == 404  # Kon Tum's clerk does not see Đắk Lắk's received letter
    assert "Đã nhận gói tin" in shown, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", shown))[:3000]
    assert "Liên thông văn bản (edXML)" in shown and "Chữ ký số của tệp: Hợp lệ" in shown
    response = receiver.client.post("/lien-thong/nhan", data={
        "csrf_token": csrf_from(html), "file": (BytesIO(b"<x/>"), "p.edxml")}, content_type="multipart/form-data")
    assert "Không nhận gói tin" in response.get_data(as_text=True)


def test_cli_codes_send_loopback_inbox(demo, sent):
    runner = demo.test_cli_runner()
    assert runner.invoke(args=["exchange", "codes"]).exit_code == 0
    with demo.app_context():
        daklak_code = db.session.get(Agency, sent["daklak_id"]).code
    result = runner.invoke(args=["exchange", "send", str(sent["directive_id"]), "--to", daklak_code])
    assert result.exit_code == 0 and result.output.strip().endswith(".edxml")
    assert "2 gói tin" in runner.invoke(args=["exchange", "loopback"]).output  # the fixture's and this one
    result = runner.invoke(args=["exchange", "inbox"])
    assert "Đã nhận 1 gói tin" in result.output and "trước đó" in result.output  # the second is a duplicate
    with demo.app_context():  # the sender is told: status 02 (rejected) with the reason
        rejection = db.session.scalar(select(ExchangeMessage).where(ExchangeMessage.status_code == "02"))
        assert rejection.direction == "out" and "trước đó" in rejection.description
        packets = sorted(exchange.folder("outbox").glob("*status-02-*.edxml"))
        assert len(packets) == 1 and edxml.read_status(packets[0].read_bytes()).code == "02"


def test_a_report_answering_a_received_directive_carries_response_for(demo, sent):
    """Đắk Lắk's own letter implementing the directive it received by edXML points back at it; as a
    báo cáo it is SteeringType 2."""
    with demo.app_context():
        incoming = exchange.import_packet(sent["path"].read_bytes())[0]
        answer = directive_from("000")  # UBND tỉnh Đắk Lắk's seed, approved
        answer.parent_id = incoming.directive_id
        letters.issue(answer, user_named("daklak.vt"))
        signing.demo_credentials([user_named("daklak.ld")], [answer.issuer_agency])
        signing.sign_as_leader(answer, user_named("daklak.ld"))
        signing.seal_as_clerk(answer, user_named("daklak.vt"))
        kon_tum = db.session.get(Directive, sent["directive_id"]).issuer_agency
        path, _ = exchange.export_directive(answer, user_named("daklak.vt"), [kon_tum])
        document = edxml.read_document(path.read_bytes())
        assert [r["document_id"] for r in document.response_for] == [incoming.document_id]
        assert document.steering_type == "1"
        answer.doc_type = "bao_cao"
        path, _ = exchange.export_directive(answer, user_named("daklak.vt"), [kon_tum])
        document = edxml.read_document(path.read_bytes())
        assert document.steering_type == "2" and document.response_for[0]["document_id"] == incoming.document_id


def test_admin_enters_the_agency_code(demo, login):
    admin = login("admin")
    with demo.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.name == "Sở Y tế tỉnh Kon Tum"))
        url = f"/quan-tri/co-quan/{agency.id}"
        fields = {"name": agency.name, "short_name": agency.short_name, "abbreviation": agency.abbreviation,
                  "kind": agency.kind, "parent_id": str(agency.parent_id), "place": agency.place, "active": "y",
                  "header_text": agency.header_text}
    assert "Mã định danh" in admin.get(url).get_data(as_text=True)
    assert admin.post_form(url, {**fields, "code": "000.00.12.Z01"}).status_code == 302
    with demo.app_context():
        assert db.session.get(Agency, agency.id).code == "000.00.12.Z01"
        other = db.session.scalar(select(Agency).where(Agency.name == "Công an tỉnh Kon Tum"))
        other_url = f"/quan-tri/co-quan/{other.id}"
        other_fields = {"name": other.name, "short_name": other.short_name, "kind": other.kind,
                        "parent_id": str(other.parent_id or ""), "active": "y"}
    response = admin.post_form(other_url, {**other_fields, "code": "000.00.12.Z01"})
    assert response.status_code == 400 and "đã dùng cho cơ quan khác" in response.get_data(as_text=True)
    response = admin.post_form(other_url, {**other_fields, "code": "a,b"})
    assert response.status_code == 400 and "dấu phẩy" in response.get_data(as_text=True)


def test_the_incoming_register_links_to_receiving_a_packet(demo, login):
    page = login("vanthu").get("/so-van-ban/den").get_data(as_text=True)
    assert "/lien-thong/nhan" in page and "/ky-so/kiem-tra" in page
    assert "/lien-thong/nhan" not in login("vanthu").get("/so-van-ban/di").get_data(as_text=True)


def test_a_packet_to_agencies_that_already_received_the_letter_inside_only_answers(demo, sent):
    """Sent to the agencies given its tasks (inside this deployment, they have it already): no second
    register entry, but each answers 01/03/04 and, when its work starts, 05."""
    with demo.app_context():
        directive = db.session.get(Directive, sent["directive_id"])
        before = db.session.scalar(select(db.func.count(ReceivedEntry.id)))
        path, _ = exchange.export_directive(directive, user_named("vanthu"))
        receivers = len(exchange.default_receivers(directive))
        messages = exchange.import_packet(path.read_bytes())
        db.session.commit()
        assert len(messages) == receivers and db.session.scalar(select(db.func.count(ReceivedEntry.id))) == before
        assert all(m.directive_id == directive.id and "nhận trong hệ thống" in m.description for m in messages)
        codes = [m.status_code for m in db.session.scalars(select(ExchangeMessage).where(
            ExchangeMessage.kind == "status", ExchangeMessage.direction == "out"))]
        assert codes.count("03") == receivers
        from app.tracking.service import change_assignment
        health = db.session.scalar(select(Agency).where(Agency.name == "Sở Y tế tỉnh Kon Tum"))
        assignment = next(a for s in directive.live_sections for t in s.live_tasks for a in t.assignments
                          if a.agency_id == health.id and a.active)
        change_assignment(assignment, user_named("soyte"), "start", None, "", assignment.version)
        db.session.commit()
        started = db.session.scalar(select(ExchangeMessage).where(ExchangeMessage.status_code == "05"))
        assert started.agency_id == health.id
        exchange.loopback()
        exchange.process_inbox()
        back = [m for m in exchange.history(directive) if m.direction == "in" and m.kind == "status"]
        assert len(back) == 3 * receivers + 1 and any("Sở Y tế" in m.description and m.status_code == "05" for m in back)
