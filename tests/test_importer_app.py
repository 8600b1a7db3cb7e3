"""The importer with the application: agency resolution against the directory, the command
`flask directive import`, and the "Nhập từ văn bản" page (CSRF on, nothing saved before confirming)."""
import io
import json
import unicodedata
from pathlib import Path

import lxml.html
import pytest
import yaml
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.importer.service import import_document
from app.models import Assignment, AuditEvent, Directive
from tests.helpers import csrf_from
from tests.helpers import FIXTURE_FILES, FIXTURES, assert_same_structure, load_fixture

SEEDS = FIXTURES.parent / "seeds"


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(Directive.id))),
                db.session.scalar(select(func.count(Assignment.id))),
                db.session.scalar(select(func.count(AuditEvent.id))))


def fixture_source(name: str) -> Path:
    fixture = yaml.safe_load((FIXTURES / f"{name}.yaml").read_text(encoding="utf-8"))
    return (FIXTURES / fixture["source"]).resolve()


# ---------------------------------------------------------------- resolution against the directory

@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
def test_names_resolve_to_the_directory(demo, path):
    fixture = load_fixture(path)
    with demo.app_context():
        result = import_document(content=fixture["text"], filename=fixture["source"])
        assert result.issuer is not None and result.issuer.name == fixture["issuer_agency"]
        assert result.issuer_found_by == fixture["issuer_found_by"]
        for section, wanted in zip(result.data["sections"], fixture["directive"]["sections"]):
            assert [(a["agency"], a["resolved"]) for a in section["assignees"]] == \
                   [(a["agency"], a["resolved"]) for a in wanted["assignees"]], section["number"]
        assert sorted({u["agency"] for u in result.unresolved}) == sorted(fixture.get("unresolved", []))


def test_spelling_variants_and_abbreviations_resolve(demo):
    from app.importer.resolve import Resolver
    from app.models import Agency

    with demo.app_context():
        resolver = Resolver()
        kon_tum = db.session.scalar(select(Agency).where(Agency.name == "Ủy ban nhân dân tỉnh Kon Tum"))
        cases = {
            "UBND các huyện, thành phố": "Ủy ban nhân dân các huyện, thành phố",
            "uỷ ban nhân dân các huyện, thành phố": "Ủy ban nhân dân các huyện, thành phố",
            "SỞ LĐ-TB&XH": "Sở Lao động - Thương binh và Xã hội tỉnh Kon Tum",
            "Sở GD&ĐT": "Sở Giáo dục và Đào tạo tỉnh Kon Tum",
            "Sở KH&ĐT": "Sở Kế hoạch và Đầu tư tỉnh Kon Tum",
            "Sở TT&TT": "Sở Thông tin và Truyền thông tỉnh Kon Tum",
            "So Y te": "Sở Y tế tỉnh Kon Tum",
            "Giám đốc Sở Tài chính": "Sở Tài chính tỉnh Kon Tum",
            "VP UBND tỉnh": "Văn phòng Ủy ban nhân dân tỉnh Kon Tum",
            "Công an huyện Ia HDrai": "Công an huyện Ia H'Drai",
            "Sở Lao động Thương binh và Xã hôi": "Sở Lao động - Thương binh và Xã hội tỉnh Kon Tum",
        }
        for written, wanted in cases.items():
            target, _how = resolver.resolve(written, kon_tum)
            assert target is not None and target.name == wanted, written
        for unknown in ("Sở Xây dựng", "UBND huyện Đắk Song", "Ủy ban nhân dân", "Sở"):
            assert resolver.resolve(unknown, kon_tum)[0] is None, unknown
        # "Sở Y tế" is a different agency in every province: without an issuer it is ambiguous
        assert resolver.resolve("Sở Y tế", None)[0] is None


# ---------------------------------------------------------------- command line

def run(app, *args):
    return app.test_cli_runner().invoke(args=["directive", "import", *map(str, args)])


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
def test_cli_dry_run_prints_the_directive_format_and_writes_nothing(demo, path):
    fixture = load_fixture(path)
    before = counts(demo)
    result = run(demo, fixture_source(path.stem), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert unicodedata.is_normalized("NFC", result.stdout)
    assert "\\u" not in result.stdout  # UTF-8, not ASCII escapes
    data = json.loads(result.stdout)
    expected = json.loads(json.dumps(fixture["directive"], default=str, ensure_ascii=False))
    assert not any("deadline_text" in task for section in data["sections"] for task in section["tasks"])
    for note in data["import"]["task_words"]:  # the words that set a deadline or a rhythm ride in the import block
        s_index, t_index = note["at"]
        task = data["sections"][s_index - 1]["tasks"][t_index - 1]
        task["deadline_text"], task["recurrence"] = note.get("deadline"), note.get("recurrence")
    assert_same_structure(data, expected)
    assert data["import"]["issuer_agency"] == fixture["issuer_agency"]
    assert sorted({u["agency"] for u in data["import"]["unresolved"]}) == sorted(fixture.get("unresolved", []))
    for section, wanted in zip(data["sections"], expected["sections"]):
        assert [a["resolved"] for a in section["assignees"]] == [a["resolved"] for a in wanted["assignees"]]
    assert counts(demo) == before


def test_the_dry_run_is_a_directive_file_render_accepts_as_it_is(demo, tmp_path):
    """One format everywhere: what `import --dry-run` prints, `directive render` reads unchanged (the
    importer's notes ride in its "import" block)."""
    printed = run(demo, SEEDS / "000_6501fa3ad1d89cac.txt", "--dry-run")
    assert printed.exit_code == 0, printed.stderr
    source = tmp_path / "nhap.json"
    source.write_text(printed.stdout, encoding="utf-8")
    out = tmp_path / "thu.docx"
    rendered = demo.test_cli_runner().invoke(args=["directive", "render", str(source), "--format", "docx",
                                                   "--out", str(out)])
    assert rendered.exit_code == 0, rendered.output
    assert out.read_bytes()[:2] == b"PK"
    assert "byte" in rendered.output and "," not in rendered.output.split("(")[-1]  # 39.469 byte, Vietnamese


def test_cli_saves_a_draft_with_its_assignments(demo):
    before = counts(demo)
    result = run(demo, SEEDS / "003_a9e32f454b229adf.txt")
    assert result.exit_code == 0, result.stderr
    directive_id = int(result.stdout.split("mã văn bản ")[1].split(":")[0])
    with demo.app_context():
        directive = db.session.get(Directive, directive_id)
        assert directive.state == "draft"
        assert directive.issuer_agency.name == "Văn phòng Ủy ban nhân dân tỉnh Lạng Sơn"
        assert directive.issuer_lines == ["UBND TỈNH LẠNG SƠN", "VĂN PHÒNG"]
        assert [s.number for s in directive.live_sections] == ["1", "2", "3"]
        third = directive.live_sections[2]
        assert [(a.name, a.role) for a in third.assignees] == [
            ("Sở Lao động - Thương binh và Xã hội tỉnh Lạng Sơn", "lead"), ("Sở Y tế tỉnh Lạng Sơn", "coordinating"),
            ("Công an tỉnh Lạng Sơn", "coordinating"), ("Ủy ban nhân dân các huyện, thành phố", "coordinating")]
        districts = len(third.assignees[3].group.members)
        roles = sorted(a.role for a in third.live_tasks[0].assignments)
        assert roles.count("lead") == 1 and roles.count("coordinating") == 2 + districts
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == directive_id)).all()
        assert "directive.import" in actions
    assert counts(demo)[0] == before[0] + 1


def test_cli_leaves_unresolved_names_out_and_reports_them(demo):
    result = run(demo, fixture_source("chi_thi_diem_abc"))
    assert result.exit_code == 0, result.stderr
    assert "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh" in result.stderr
    directive_id = int(result.stdout.split("mã văn bản ")[1].split(":")[0])
    with demo.app_context():
        directive = db.session.get(Directive, directive_id)
        fourth = directive.live_sections[3]
        assert fourth.number == "4" and fourth.assignees == []
        assert directive.doc_type == "chi_thi" and directive.number is None  # a draft: the clerk numbers it
        assert "05/CT-UBND" in result.stderr
        first = directive.live_sections[0]
        assert str(first.live_tasks[0].deadline) == "2025-12-06"


def test_cli_subject_missing_gets_a_visible_placeholder(demo):
    result = run(demo, SEEDS / "004_4533a4b7a08461eb.txt")
    assert result.exit_code == 0, result.stderr
    assert "trích yếu" in result.stderr
    directive_id = int(result.stdout.split("mã văn bản ")[1].split(":")[0])
    with demo.app_context():
        directive = db.session.get(Directive, directive_id)
        assert directive.subject.startswith("[Chưa có trích yếu")
        assert directive.issuer_agency.name == "Trung tâm Y tế huyện Xuyên Mộc"
        # the section names nobody: the Kính gửi group gets each task, member by member
        members = {a.agency.name for a in directive.live_sections[0].live_tasks[0].assignments}
        assert "Khoa Kiểm soát bệnh tật Trung tâm Y tế huyện Xuyên Mộc" in members


@pytest.mark.parametrize("content, name, message", [
    (b"", "rong.txt", "Tệp rỗng"),
    (bytes(range(256)) * 50, "rac.txt", "nhị phân"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "quet.png", "ảnh"),
    (b"%PDF-1.4 broken", "hong.pdf", "PDF bị hỏng"),
    (b"Mot dong chu khong phai van ban chi dao.", "ghi-chu.txt", "Không nhận ra văn bản chỉ đạo"),
    (b"abc", "bang.xlsx", "không được hỗ trợ"),
])
def test_cli_refuses_bad_input_cleanly(demo, tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    before = counts(demo)
    result = run(demo, path)
    assert result.exit_code == 1
    assert result.stderr.startswith("Lỗi: ") and message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert counts(demo) == before


def test_cli_refuses_a_missing_file_and_a_file_over_the_limit(demo, tmp_path):
    assert "Không tìm thấy tệp" in run(demo, tmp_path / "khong-co.txt").stderr
    big = tmp_path / "lon.txt"
    big.write_bytes((SEEDS / "000_6501fa3ad1d89cac.txt").read_bytes())
    demo.config["IMPORT_MAX_BYTES"] = 1000
    result = run(demo, big, "--dry-run")
    assert result.exit_code == 1 and "quá lớn" in result.stderr and result.stdout == ""


def test_cli_never_shows_a_traceback(demo, monkeypatch):
    import app.importer.service as service

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(service, "parse_text", broken)
    before = counts(demo)
    result = run(demo, SEEDS / "000_6501fa3ad1d89cac.txt")
    assert result.exit_code == 1 and "lỗi hệ thống" in result.stderr and "Traceback" not in result.stderr
    assert counts(demo) == before


def test_cli_reads_docx_and_pdf(demo, tmp_path):
    from app.directive_format import read_directive_file
    from app.documents import render

    data = read_directive_file(Path("directives/001-kon-tum-tiep-tuc-chi-dao-covid.yaml"))
    for fmt in ("docx", "pdf"):
        path = tmp_path / f"cong-van.{fmt}"
        path.write_bytes(render(data, fmt))
        result = run(demo, path, "--dry-run")
        assert result.exit_code == 0, result.stderr
        out = json.loads(result.stdout)
        assert out["import"]["format"] == fmt and out["subject"] == data["subject"]
        assert [s["number"] for s in out["sections"]] == ["1", "2", "3"]


# ---------------------------------------------------------------- the web page

def upload(user, content: bytes, filename: str, **extra):
    page = user.get("/nhap-van-ban").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "step": "doc", "file": (io.BytesIO(content), filename), **extra}
    return user.client.post("/nhap-van-ban", data=data, content_type="multipart/form-data")


def editor_values(html: str) -> MultiDict:
    """What the browser would post from the editor form (the prototypes are outside the form)."""
    form = lxml.html.fromstring(html).get_element_by_id("directive-form")
    textareas = {element.name for element in form.iter("textarea")}
    return MultiDict([(name, value[1:] if name in textareas and value.startswith("\n") else value)
                      for name, value in form.form_values()])


def test_import_page_is_for_staff_who_write_letters(demo, login):
    assert login("vanthu").get("/nhap-van-ban").status_code == 403
    assert login("lanhdao").get("/nhap-van-ban").status_code == 403
    assert login("admin").get("/nhap-van-ban").status_code == 403
    office = login("vanphong")
    page = office.get("/nhap-van-ban")
    assert page.status_code == 200 and "Nhập từ văn bản" in page.get_data(as_text=True)
    assert 'href="/nhap-van-ban"' in office.get("/van-ban").get_data(as_text=True)
    assert 'href="/nhap-van-ban"' not in login("lanhdao").get("/theo-doi").get_data(as_text=True)
    assert login("soyte").get("/nhap-van-ban").status_code == 200  # a Sở writes its own letters too
    assert demo.test_client().get("/nhap-van-ban").status_code == 302  # to the login page


def test_upload_opens_the_filled_editor_and_saves_nothing(demo, login):
    office = login("langson.vp")
    before = counts(demo)
    response = upload(office, (SEEDS / "003_a9e32f454b229adf.txt").read_bytes(), "cv-lang-son.txt")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert counts(demo) == before
    assert 'id="directive-form"' in html and "Chưa lưu gì" in html
    values = dict(editor_values(html))
    assert values["subject"] == "tăng cường công tác phòng, chống dịch COVID-19"
    assert values["symbol"] == "VP-KGVX" and values["signer_name"] == "Nguyễn Văn Hà"
    with demo.app_context():
        from app.models import Agency

        office_id = db.session.scalar(select(Agency.id).where(Agency.name == "Văn phòng Ủy ban nhân dân tỉnh Lạng Sơn"))
    assert values["issuer_agency_id"] == str(office_id)
    assert values["sections-2-assignees-0-role"] == "lead"
    assert values["sections-2-assignees-0-target"].startswith("a:")
    assert values["sections-2-assignees-3-target"].startswith("g:")
    assert "suy ra là Văn phòng Ủy ban nhân dân tỉnh Lạng Sơn" in html  # the inferred issuer is pointed out


def test_confirming_the_editor_saves_a_draft(demo, login):
    office = login("vanphong")
    html = upload(office, (SEEDS / "001_bb1244b5e4f5112a.txt").read_bytes(), "cv-kon-tum.txt").get_data(as_text=True)
    before = counts(demo)
    response = office.client.post("/van-ban/moi", data=editor_values(html))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with demo.app_context():
        directive = db.session.scalars(select(Directive).order_by(Directive.id.desc())).first()
        assert directive.state == "draft" and directive.subject.startswith("tiếp tục thực hiện chỉ đạo")
        assert [s.number for s in directive.live_sections] == ["1", "2", "3"]
        assert [(a.name, a.role) for a in directive.live_sections[2].assignees] == [
            ("Sở Y tế tỉnh Kon Tum", "lead"), ("Ủy ban nhân dân các huyện, thành phố", "lead")]
        assert directive.signer_name == "Lê Ngọc Tuấn" and directive.issuer_agency.name == "Ủy ban nhân dân tỉnh Kon Tum"
    assert counts(demo)[0] == before[0] + 1 and counts(demo)[1] > before[1]


def test_editor_posted_back_to_the_import_page_saves_too(demo, login):
    office = login("daklak.vp")
    html = upload(office, (SEEDS / "000_6501fa3ad1d89cac.txt").read_bytes(), "dak-lak.txt").get_data(as_text=True)
    before = counts(demo)
    response = office.client.post("/nhap-van-ban", data=editor_values(html))
    assert response.status_code == 302
    assert counts(demo)[0] == before[0] + 1


def test_what_was_not_recognised_is_highlighted(demo, login):
    office = login("vanphong")
    html = upload(office, fixture_source("chi_thi_diem_abc").read_bytes(), "chi-thi.md").get_data(as_text=True)
    assert 'data-testid="import-unresolved"' in html
    assert "Chưa tìm thấy “Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh” trong danh mục" in html
    assert "is-invalid" in html
    seed = upload(office, (SEEDS / "004_4533a4b7a08461eb.txt").read_bytes(), "ttyt.txt").get_data(as_text=True)
    assert "Không thấy trích yếu trong văn bản" in seed and 'data-testid="import-warnings"' in seed


def test_pasted_text_works_like_a_file(demo, login):
    office = login("vanphong")
    page = office.get("/nhap-van-ban").get_data(as_text=True)
    text = (SEEDS / "000_6501fa3ad1d89cac.txt").read_text(encoding="utf-8").replace("\n", "\r\n")
    response = office.client.post("/nhap-van-ban", data={"csrf_token": csrf_from(page), "step": "doc", "text": text})
    assert response.status_code == 200
    assert dict(editor_values(response.get_data(as_text=True)))["symbol"] == "UBND-KGVX"


@pytest.mark.parametrize("content, name, message", [
    (bytes(range(256)) * 40, "rac.txt", "nhị phân"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "cu.doc", "Word 97-2003"),
    (b"", "rong.txt", "Tệp rỗng"),
])
def test_bad_upload_is_refused_with_a_vietnamese_message(demo, login, content, name, message):
    office = login("vanphong")
    before = counts(demo)
    response = upload(office, content, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert counts(demo) == before


def test_neither_file_nor_text(demo, login):
    office = login("vanphong")
    page = office.get("/nhap-van-ban").get_data(as_text=True)
    response = office.client.post("/nhap-van-ban", data={"csrf_token": csrf_from(page), "step": "doc", "text": " "})
    assert response.status_code == 400 and "Chọn một tệp hoặc dán nội dung" in response.get_data(as_text=True)


def test_upload_over_the_import_limit_is_named_on_the_page(demo, login):
    from app.importer.service import max_bytes

    office = login("vanphong")
    before = counts(demo)
    # larger than a plain form may be, smaller than the import page accepts: the importer answers
    response = upload(office, b"a" * (max_bytes() + 10), "lon.txt")
    assert response.status_code == 400 and "Tệp quá lớn" in response.get_data(as_text=True)
    assert counts(demo) == before


def test_upload_over_the_request_limit(demo, login):
    from app.importer.service import max_bytes

    office = login("vanphong")
    response = upload(office, b"a" * (2 * max_bytes() + 10), "lon.txt")
    assert response.status_code == 413 and "quá lớn" in response.get_data(as_text=True)


def test_upload_without_csrf_token_is_refused(demo, login):
    office = login("vanphong")
    before = counts(demo)
    response = office.client.post("/nhap-van-ban", data={"step": "doc", "text": "Kính gửi: Sở Y tế."})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert counts(demo) == before


def test_every_dry_run_of_the_corpus_and_seeds_is_read_by_the_directive_format(demo):
    """What `import --dry-run` prints is a directive file: no key the format refuses, recurrences as
    rules, the importer's words in its import block (a letter lacking a signer may still not print)."""
    from app.directive_format import FormatError, parse_directive
    from app.importer.service import as_json

    from bench.corpus_letters import CORPUS  # the development corpus, when the checkout sits beside it

    paths = sorted(CORPUS.glob("*.txt")) + sorted(SEEDS.glob("*.txt"))
    assert len(paths) >= 5
    refused = []
    with demo.app_context():
        for path in paths:
            printed = json.loads(json.dumps(as_json(import_document(content=path.read_bytes(), filename=path.name)),
                                            ensure_ascii=False))
            try:
                parse_directive(printed)
            except FormatError as error:
                refused.append(f"{path.stem}: {error}")
    assert not refused, "\n".join(refused)
