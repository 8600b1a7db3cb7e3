"""Digital signatures: the leader signs the frozen PDF, the clerk adds the organisation's signature
(the seal), each an incremental PAdES revision with its own SHA-256; verified by pyHanko's validator
and by poppler's pdfsig; ND30 R44 read back from the file; keys encrypted at rest; routes guarded."""
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from app.directives import letters
from app.extensions import db
from app.models import SignedRevision, SigningCredential, TrustRoot
from app.signing import keys, placement, service, verify
from tests.helpers import directive_from, user_named

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def issued(demo, tmp_path):
    """Seed 001 issued for real (frozen DOCX and PDF), the demo CA's certificates for its leader and
    for UBND tỉnh Kon Tum."""
    demo.config["GENERATED_DIR"] = str(tmp_path / "generated")
    with demo.app_context():
        directive = directive_from("001")
        letters.issue(directive, user_named("vanthu"))
        service.demo_credentials([user_named("lanhdao")], [directive.issuer_agency])
        db.session.commit()
        return directive.id


def signed_pair(app, directive_id):
    with app.app_context():
        directive = db.session.get(type(directive_from("001")), directive_id)
        service.sign_as_leader(directive, user_named("lanhdao"))
        service.seal_as_clerk(directive, user_named("vanthu"))
        db.session.commit()
        return service.signed_bytes(directive), directive.register_entry


def test_two_revisions_beside_the_frozen_original(demo, issued):
    with demo.app_context():
        entry = directive_from("001").register_entry
        frozen_path = Path(demo.config["STORAGE_DIR"]) / entry.pdf_path
        frozen = frozen_path.read_bytes()
    signed, entry = signed_pair(demo, issued)
    with demo.app_context():
        assert frozen_path.read_bytes() == frozen and hashlib.sha256(frozen).hexdigest() == entry.pdf_sha256
        rows = {r.step: r for r in db.session.scalars(select(SignedRevision))}
        assert set(rows) == {"signer", "seal"}
        assert rows["signer"].base_sha256 == entry.pdf_sha256
        assert rows["seal"].base_sha256 == rows["signer"].sha256
        first = (Path(demo.config["STORAGE_DIR"]) / rows["signer"].path).read_bytes()
        # incremental: each revision starts with the bytes of the one before
        assert first.startswith(frozen) and signed.startswith(first)
        assert hashlib.sha256(signed).hexdigest() == rows["seal"].sha256


def test_pyhanko_validator_accepts_both_signatures(demo, issued):
    signed, _ = signed_pair(demo, issued)
    with demo.app_context():
        report = verify.verify_pdf(signed)
    assert report.ok, report.summary
    assert [s.field for s in report.signatures] == ["ChuKyNguoiKy", "ChuKyCoQuan"]
    assert report.signatures[0].signer == "Trần Văn Lãnh Đạo"
    assert report.signatures[1].signer == "Ủy ban nhân dân tỉnh Kon Tum"
    assert all(s.signing_time is not None for s in report.signatures)
    assert "Toàn vẹn" in report.signatures[0].messages[0]


@pytest.mark.skipif(shutil.which("pdfsig") is None or shutil.which("certutil") is None,
                    reason="poppler-utils (pdfsig) and libnss3-tools (certutil) are needed")
def test_pdfsig_accepts_both_signatures_against_the_demo_ca(demo, issued, tmp_path):
    signed, _ = signed_pair(demo, issued)
    (tmp_path / "signed.pdf").write_bytes(signed)
    with demo.app_context():
        (tmp_path / "ca.pem").write_text(db.session.scalar(select(TrustRoot)).certificate_pem)
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "demo", "-t", "C,C,C", "-i",
                    str(tmp_path / "ca.pem")], check=True)
    result = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(tmp_path / "signed.pdf")],
                            capture_output=True, text=True, timeout=60)
    out = result.stdout
    assert out.count("Signature Validation: Signature is Valid.") == 2, out
    assert out.count("Certificate Validation: Certificate is Trusted.") == 2, out
    assert "Total document signed" in out and "Signature Field Name: ChuKyCoQuan" in out


def test_images_placed_as_nd30_says(demo, issued):
    """R44: blue signature image with alpha between the position line and the name; red seal with alpha
    at its true size, over about a third of the signature image on its left."""
    signed, _ = signed_pair(demo, issued)
    assert placement.r44_problems(signed) == []
    images = {i["colour"]: i["bbox"] for i in placement.signature_images(signed)}
    sig, seal = images["blue"], images["red"]
    assert abs((seal[2] - seal[0]) - keys.SEAL_WIDTH_MM * 72 / 25.4) < 0.5  # true size
    assert 0.3 < placement.overlap_ratio(signed) < 0.36 and seal[0] < sig[0]
    caption = [i for i in placement.signature_images(signed) if i["colour"] == "other"]
    assert len(caption) == 1 and caption[0]["field"] == "ChuKyCoQuan"  # the signing information, under the seal
    assert caption[0]["bbox"][3] <= seal[1] + 1 and caption[0]["bbox"][0] == pytest.approx(seal[0], abs=0.5)
    import io

    import pdfplumber
    with pdfplumber.open(io.BytesIO(signed)) as pdf:
        page = pdf.pages[-1]
        words = page.extract_words()
        height = float(page.height)
        name_top = min(w["top"] for w in words if w["text"] == "Tuấn")
        title_bottom = max(w["bottom"] for w in words if w["text"] == "TỊCH" and w["x0"] > page.width / 2)
    assert height - title_bottom >= sig[3] and sig[1] >= height - name_top  # between title and name


def test_r44_flags_a_seal_in_the_wrong_place(demo, issued, monkeypatch):
    original = service.seal_box
    monkeypatch.setattr(service, "seal_box", lambda box, cred: service.Box(
        box.page, box.x1 + 5, box.y0, box.x1 + 5 + (original(box, cred).width), box.y1))
    signed, _ = signed_pair(demo, issued)
    problems = placement.r44_problems(signed)
    assert any("bên trái" in p for p in problems) and any("1/3" in p for p in problems)


def test_tampered_and_untrusted_files_are_refused(demo, issued):
    signed, _ = signed_pair(demo, issued)
    marker = b"/Reason"
    at = signed.index(marker)  # inside the first revision, covered by both signatures
    text_at = signed.index(b"stream", signed.index(b"/FlateDecode"))
    tampered = signed[:text_at + 20] + bytes([signed[text_at + 20] ^ 1]) + signed[text_at + 21:]
    with demo.app_context():
        report = verify.verify_pdf(tampered)
        assert not report.ok and any("Không toàn vẹn" in m for s in report.signatures for m in s.messages)
        assert at > 0
        for root in db.session.scalars(select(TrustRoot)):
            db.session.delete(root)
        db.session.flush()
        untrusted = verify.verify_pdf(signed)
        assert not untrusted.ok
        assert all(not s.trusted for s in untrusted.signatures)
        assert any("không được tin cậy: không dẫn đến gốc tin cậy" in m for s in untrusted.signatures for m in s.messages)
        assert verify.verify_pdf(b"hello").summary == "Tệp không phải PDF."


def test_private_keys_are_encrypted_at_rest(demo, issued):
    with demo.app_context():
        credential = db.session.scalar(select(SigningCredential).where(SigningCredential.kind == "personal"))
        assert b"PRIVATE KEY" not in credential.private_key_encrypted.encode()
        assert keys.decrypt_key_der(credential.private_key_encrypted).startswith(b"0")
        demo.config["SIGNING_KEY_SECRET"] = "another secret"
        with pytest.raises(keys.KeyError_, match="Không giải mã được"):
            keys.decrypt_key_der(credential.private_key_encrypted)


def test_images_must_be_png_with_alpha_of_the_right_colour():
    assert keys.check_image(keys.signature_image("A"), "blue") is None
    assert keys.check_image(keys.seal_image("UBND tỉnh"), "red") is None
    assert "màu đỏ" in keys.check_image(keys.signature_image("A"), "red")
    from io import BytesIO

    from PIL import Image
    out = BytesIO()
    Image.new("RGB", (10, 10), (0, 0, 255)).save(out, "PNG")
    assert "trong suốt" in keys.check_image(out.getvalue(), "blue")


def test_order_and_roles_on_the_web(demo, issued, login):
    url = f"/van-ban/{issued}"
    clerk = login("vanthu")
    assert "Ký số của cơ quan" not in clerk.get(url).get_data(as_text=True)
    response = clerk.post_form(f"{url}/dong-dau-so", {}, page=url)
    assert response.status_code == 302
    assert "Lãnh đạo chưa ký số" in clerk.get(url).get_data(as_text=True)
    assert login("vanphong").post_form(f"{url}/ky-so", {}, page=url).status_code == 403  # staff
    assert login("soyte.ld").post_form(f"{url}/ky-so", {}, page="/van-ban").status_code in (403, 404)  # another org
    leader = login("lanhdao")
    page = leader.get(url).get_data(as_text=True)
    assert 'data-testid="signing"' in page and ">Ký số</button>" in page
    assert "Văn bản in người ký “Lê Ngọc Tuấn”" in page  # the demo leader is not the printed signer
    assert leader.post_form(f"{url}/ky-so", {}, page=url).status_code == 302
    assert "Đã ký số văn bản" in leader.get(url).get_data(as_text=True)
    assert "Văn bản đã được ký số" in (leader.post_form(f"{url}/ky-so", {}, page=url) and leader.get(url).get_data(as_text=True))
    assert clerk.post_form(f"{url}/dong-dau-so", {}, page=url).status_code == 302
    download = clerk.get(f"{url}/tai-ve-ky-so.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].endswith("-ky-so.pdf")
    with demo.app_context():
        assert verify.verify_pdf(download.data).ok
    check = clerk.get(f"{url}/kiem-tra-chu-ky").get_data(as_text=True)
    assert "Hợp lệ: 2 chữ ký số" in check


def test_upload_a_pdf_to_verify(demo, issued, login):
    signed, _ = signed_pair(demo, issued)
    from io import BytesIO
    client = login("soyte")  # anyone who works with letters
    html = client.get("/ky-so/kiem-tra").get_data(as_text=True)
    from tests.helpers import csrf_from
    response = client.client.post("/ky-so/kiem-tra", data={"csrf_token": csrf_from(html),
                                                          "file": (BytesIO(signed), "x.pdf")},
                                  content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert "Hợp lệ: 2 chữ ký số" in text and "Thời điểm ký" in text and "giờ Việt Nam" in text
    response = client.client.post("/ky-so/kiem-tra", data={"csrf_token": csrf_from(html),
                                                          "file": (BytesIO(b"%PDF-1.4 nothing"), "y.pdf")},
                                  content_type="multipart/form-data")
    assert "Không đọc được tệp PDF" in response.get_data(as_text=True) or \
        "Tệp không có chữ ký số" in response.get_data(as_text=True)


def test_cli_demo_and_verify(demo, issued, tmp_path):
    signed, _ = signed_pair(demo, issued)
    (tmp_path / "s.pdf").write_bytes(signed)
    runner = demo.test_cli_runner()
    result = runner.invoke(args=["signing", "demo"])
    assert result.exit_code == 0 and "chứng thư số thử nghiệm" in result.output
    with demo.app_context():
        assert service.credential_for_user(user_named("soyte.ld")) is not None  # every leader
    result = runner.invoke(args=["signing", "verify", str(tmp_path / "s.pdf")])
    assert result.exit_code == 0, result.output
    assert "Hợp lệ" in result.output


def test_the_nd30_lint_checks_r44_on_signed_pdfs(demo, issued, monkeypatch):
    from app.lint import lint_pdf
    signed, _ = signed_pair(demo, issued)
    with demo.app_context():
        assert not [f for f in lint_pdf(signed).findings if f.rule == "R44"]
    only_leader = signed[:signed.rindex(b"%%EOF", 0, signed.rindex(b"%%EOF")) + 5]  # the leader's revision
    findings = [f for f in lint_pdf(only_leader).findings if f.rule == "R44"]
    assert findings and "con dấu" in findings[0].detail


@pytest.mark.parametrize("username, sign, seal, send, read", [
    ("lanhdao", 302, 403, 403, 200),     # leader of the issuing organisation: signs (already signed: a message)
    ("vanthu", 403, 302, 302, 200),      # its clerk: the seal and sending
    ("vanphong", 403, 403, 403, 200),    # its staff: reads only
    ("soyte.ld", 403, 403, 403, 200),    # a Sở given a task: sees the letter, may not sign it
    ("soyte.vt", 403, 403, 403, 200),
    ("daklak.ld", 404, 404, 404, 404),   # another province: nothing
    ("daklak.vt", 404, 404, 404, 404),
    ("admin", 404, 404, 404, 404),       # the directory's admin sees no letters
])
def test_signing_routes_by_role_and_organisation(demo, issued, login, username, sign, seal, send, read):
    signed_pair(demo, issued)
    url = f"/van-ban/{issued}"
    client = login(username)
    post = lambda path: client.post_form(f"{url}/{path}", {}, page="/thong-bao").status_code  # noqa: E731
    assert post("ky-so") == sign
    assert post("dong-dau-so") == seal
    assert post("gui-lien-thong") == send
    download = client.get(f"{url}/tai-ve-ky-so.pdf").status_code
    assert download == read and client.get(f"{url}/kiem-tra-chu-ky").status_code == read


def test_the_importer_page_checks_a_signed_pdf(demo, issued, login):
    signed, _ = signed_pair(demo, issued)
    from io import BytesIO
    from tests.helpers import csrf_from
    client = login("daklak.vp")
    html = client.get("/nhap-van-ban").get_data(as_text=True)
    response = client.client.post("/nhap-van-ban", data={"csrf_token": csrf_from(html), "step": "doc",
                                                         "file": (BytesIO(signed), "cv.pdf")},
                                  content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert 'data-testid="import-signatures"' in text and "Chữ ký số của tệp: Hợp lệ: 2 chữ ký số" in text


def test_the_signing_information_caption_wraps_to_the_seal_width():
    png, height_mm = service.caption_image(["Ký bởi: Ủy ban nhân dân tỉnh Kon Tum", "Thời gian ký: 15/06/2026 09:00:00 +07:00"],
                                           keys.SEAL_WIDTH_MM)
    from io import BytesIO

    from PIL import Image
    image = Image.open(BytesIO(png))
    assert "A" in image.getbands() and abs(image.width - keys.SEAL_WIDTH_MM * keys.DPI / 25.4) <= 1
    assert 5 < height_mm < 15  # three or four short lines
