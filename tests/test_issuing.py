"""Numbering and issuing: the register sequence, freezing, stored files, concurrency, downloads, CLI."""
import hashlib
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.directives import letters
from app.documents.letter import date_line, format_number
from app.extensions import db
from app.models import Agency, Directive, RegisterEntry, User
from tests.helpers import DIRECTIVES_DIR


@pytest.mark.parametrize("sequence, text", [(1, "01"), (9, "09"), (10, "10"), (123, "123"), (4567, "4567")])
def test_numbers_below_ten_take_a_leading_zero(sequence, text):
    assert format_number(sequence) == text


@pytest.mark.parametrize("day, line", [
    (date(2026, 1, 5), "Kon Tum, ngày 05 tháng 01 năm 2026"),
    (date(2026, 2, 28), "Kon Tum, ngày 28 tháng 02 năm 2026"),
    (date(2026, 3, 9), "Kon Tum, ngày 09 tháng 3 năm 2026"),
    (date(2026, 12, 31), "Kon Tum, ngày 31 tháng 12 năm 2026"),
])
def test_date_line_pads_day_and_only_january_february(day, line):
    assert date_line("Kon Tum", day, day.year) == line


def test_unissued_date_line_leaves_day_and_month_blank():
    line = date_line("Kon Tum", None, 2026)
    assert line.startswith("Kon Tum, ngày") and line.endswith("năm 2026")
    assert "tháng" in line and not any(ch.isdigit() for ch in line[:-4])


@pytest.fixture
def generated(demo, tmp_path):
    demo.config["GENERATED_DIR"] = str(tmp_path / "generated")
    return demo


def clerk(username="vanthu"):
    return db.session.scalar(select(User).where(User.username == username))


def directive(key):
    return db.session.scalar(select(Directive).where(Directive.source_key.contains(key)))


def kon_tum_copies(app, count):
    """`count` approved directives of UBND tỉnh Kon Tum (copies of seed 001), by id."""
    from app.directive_format import read_directive_file
    from app.directives.service import find_issuer, resolve_assignees, save_directive

    ids = []
    with app.app_context():
        for index in range(count):
            data = read_directive_file(DIRECTIVES_DIR / "001-kon-tum-tiep-tuc-chi-dao-covid.yaml")
            data["subject"] = f"bản sao số {index}"
            issuer = find_issuer(data["issuer"])
            resolve_assignees(data, issuer)
            saved, _ = save_directive(None, data, None, issuer, state="approved")
            ids.append(saved.id)
        db.session.commit()
    return ids


@pytest.mark.dates
def test_issuing_numbers_per_agency_and_year(generated):
    second_id, next_year_id = kon_tum_copies(generated, 2)
    with generated.app_context():
        first = letters.issue(directive("001-"), clerk(), today=date(2026, 3, 2))
        db.session.commit()
        second = letters.issue(db.session.get(Directive, second_id), clerk(), today=date(2026, 3, 3))
        other_agency = letters.issue(directive("000-"), clerk("daklak.vt"), today=date(2026, 3, 3))
        db.session.commit()
        assert (first.number, second.number, other_agency.number) == ("01", "02", "01")
        new_year = letters.issue(db.session.get(Directive, next_year_id), clerk(), today=date(2027, 1, 1))
        db.session.commit()
        assert new_year.number == "01" and new_year.year == 2027
        issued = directive("001-")
        assert issued.state == "issued" and issued.number == "01" and issued.issued_date == date(2026, 3, 2)


def test_issued_letter_is_frozen_and_its_files_match_their_hashes(generated, login):
    with generated.app_context():
        entry = letters.issue(directive("001-"), clerk(), today=date(2026, 1, 5))
        db.session.commit()
        directive_id = entry.directive_id
        root = Path(generated.config["STORAGE_DIR"])
        assert not list(Path(generated.config["GENERATED_DIR"]).rglob("*.pdf"))  # exports only, no records
        pdf = (root / entry.pdf_path).read_bytes()
        assert hashlib.sha256(pdf).hexdigest() == entry.pdf_sha256
        assert hashlib.sha256((root / entry.docx_path).read_bytes()).hexdigest() == entry.docx_sha256
    office = login("vanphong")
    assert office.get(f"/van-ban/{directive_id}/sua").status_code == 403
    downloaded = office.get(f"/van-ban/{directive_id}/tai-ve.pdf")
    assert downloaded.status_code == 200 and downloaded.data == pdf
    assert "CV-01-UBND-KGVX-" in downloaded.headers["Content-Disposition"]
    # a file changed on disk is refused, not served
    (root / entry.pdf_path).write_bytes(pdf + b"%tampered")
    response = office.get(f"/van-ban/{directive_id}/tai-ve.pdf")
    assert response.status_code == 302
    page = office.get(f"/van-ban/{directive_id}").get_data(as_text=True)
    assert "không còn khớp mã SHA-256" in page


def test_only_the_clerk_issues_and_only_approved_directives(generated, login):
    draft_id = kon_tum_copies(generated, 1)[0]
    with generated.app_context():
        approved_id = directive("001-").id
        db.session.get(Directive, draft_id).state = "draft"
        db.session.commit()
        dak_lak = directive("000-").id
    assert login("vanphong").post_form(f"/van-ban/{approved_id}/phat-hanh", {},
                                       page=f"/van-ban/{approved_id}").status_code == 403
    assert login("vanthu").post_form(f"/van-ban/{draft_id}/phat-hanh", {},
                                     page=f"/van-ban/{draft_id}").status_code == 403
    # another province's clerk cannot number this letter in any register: it is not even visible
    assert login("daklak.vt").get(f"/van-ban/{approved_id}").status_code == 404
    assert login("vanthu").get(f"/van-ban/{dak_lak}").status_code == 404
    with generated.app_context():
        with pytest.raises(letters.IssueError, match="văn thư của cơ quan ban hành"):
            letters.issue(directive("000-"), clerk())
        db.session.rollback()
    clerk_user = login("vanthu")
    response = clerk_user.post_form(f"/van-ban/{approved_id}/phat-hanh", {}, page=f"/van-ban/{approved_id}")
    assert response.status_code == 302
    page = clerk_user.get(f"/van-ban/{approved_id}").get_data(as_text=True)
    assert "Đã cấp số 01/UBND-KGVX" in page
    with generated.app_context():
        assert db.session.scalar(select(func.count(RegisterEntry.id))) == 1


def test_directive_missing_a_signer_cannot_be_issued(generated):
    with generated.app_context():
        target = directive("001-")
        target.signer_title = ""
        db.session.commit()
        with pytest.raises(letters.IssueError, match="chức vụ người ký"):
            letters.issue(target, clerk())
        db.session.rollback()
        assert directive("001-").state == "approved" and directive("001-").number is None


def _issue_in_thread(app, directive_id, results):
    with app.app_context():
        try:
            user = db.session.scalar(select(User).where(User.username == "vanthu"))
            entry = letters.issue(db.session.get(Directive, directive_id), user)
            db.session.commit()
            results.append(entry.number)
        except Exception as error:  # a refused or failed issue is a result too
            db.session.rollback()
            results.append(type(error).__name__)


def test_parallel_clerks_get_gapless_unique_numbers(generated):
    ids = kon_tum_copies(generated, 8)
    results: list[str] = []
    threads = [threading.Thread(target=_issue_in_thread, args=(generated, i, results)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == [f"{n:02d}" for n in range(1, 9)], results
    with generated.app_context():
        kon_tum = db.session.scalar(select(Agency.id).where(Agency.name == "Ủy ban nhân dân tỉnh Kon Tum"))
        sequences = sorted(db.session.scalars(select(RegisterEntry.sequence).where(RegisterEntry.agency_id == kon_tum)))
        assert sequences == list(range(1, 9))


def test_the_same_directive_issued_twice_at_once_gets_one_number(generated):
    with generated.app_context():
        target = directive("001-").id
    results: list[str] = []
    threads = [threading.Thread(target=_issue_in_thread, args=(generated, target, results)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == ["01", "IssueError", "IssueError", "IssueError"], results
    extra = kon_tum_copies(generated, 1)[0]
    with generated.app_context():
        assert db.session.scalar(select(func.count(RegisterEntry.id))) == 1
        # the failed attempts gave back nothing: the next directive gets 02
        assert letters.issue(db.session.get(Directive, extra), clerk()).number == "02"


def test_download_before_issue_is_rendered_with_blank_number(demo, login):
    department = login("vanphong")
    with demo.app_context():
        target = directive("001-").id
    response = department.get(f"/van-ban/{target}/tai-ve.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "CV-du-thao-UBND-KGVX-tiep-tuc-thuc-hien" in response.headers["Content-Disposition"]
    assert department.get(f"/van-ban/{target}/tai-ve.txt").status_code == 404


# ---- command line ---------------------------------------------------------------------------

def test_cli_render_writes_a_letter_from_a_file(app, tmp_path):
    out = tmp_path / "letter.pdf"
    result = app.test_cli_runner().invoke(args=["directive", "render", str(DIRECTIVES_DIR / "000-dak-lak-chot-kiem-soat-covid.yaml"),
                                          "--format", "pdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")


def test_cli_render_refuses_an_incomplete_directive_and_writes_nothing(app, tmp_path):
    source = tmp_path / "thieu.yaml"
    source.write_text("doc_type: cong_van\nsubject: ''\nsections: [{tasks: ['Làm A.']}]\n", encoding="utf-8")
    out = tmp_path / "thieu.docx"
    result = app.test_cli_runner().invoke(args=["directive", "render", str(source), "--format", "docx", "--out", str(out)])
    assert result.exit_code == 1
    for field in ("cơ quan ban hành", "trích yếu", "chức vụ người ký", "Kính gửi"):
        assert field in result.output
    assert not out.exists()


def test_cli_render_names_the_line_of_broken_yaml(app, tmp_path):
    source = tmp_path / "hong.yaml"
    source.write_text("doc_type: cong_van\nsubject: [chưa đóng\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["directive", "render", str(source), "--format", "pdf",
                                          "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "dòng 3" in result.output


def test_cli_export_from_the_database(generated, tmp_path):
    with generated.app_context():
        target = directive("003-").id
    result = generated.test_cli_runner().invoke(args=["directive", "export", str(target), "--format", "docx"])
    assert result.exit_code == 0, result.output
    written = list(Path(generated.config["GENERATED_DIR"]).glob("CV-du-thao-VP-KGVX-*.docx"))
    assert len(written) == 1 and written[0].read_bytes()[:2] == b"PK"
    missing = generated.test_cli_runner().invoke(args=["directive", "export", "99999", "--format", "pdf"])
    assert missing.exit_code == 1 and "không có văn bản" in missing.output


def test_a_correction_after_issuing_is_a_new_draft(generated, login):
    with generated.app_context():
        letters.issue(directive("001-"), clerk(), today=date(2026, 1, 5))
        db.session.commit()
        issued_id = directive("001-").id
    office = login("vanphong")
    response = office.post_form(f"/van-ban/{issued_id}/sao-chep", {}, page=f"/van-ban/{issued_id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/sua")
    new_id = int(response.headers["Location"].split("/")[-2])
    with generated.app_context():
        copy, original = db.session.get(Directive, new_id), db.session.get(Directive, issued_id)
        assert copy.state == "draft" and copy.number is None and copy.issued_date is None
        assert copy.subject == original.subject
        assert [len(t.assignments) for s in copy.sections for t in s.tasks] == \
            [len(t.assignments) for s in original.sections for t in s.tasks]
        assert original.state == "issued" and original.number == "01"
    assert login("lanhdao").post_form(f"/van-ban/{issued_id}/sao-chep", {},
                                      page=f"/van-ban/{issued_id}").status_code == 403


def test_records_live_in_the_storage_folder_and_older_files_are_moved_there(generated, login):
    """Frozen originals go to STORAGE_DIR, not generated/; a file an older version left in generated/
    is moved into the storage folder the first time it is read."""
    with generated.app_context():
        entry = letters.issue(directive("001-"), clerk(), today=date(2026, 1, 5))
        db.session.commit()
        directive_id, pdf_path = entry.directive_id, entry.pdf_path
    storage, exports = Path(generated.config["STORAGE_DIR"]), Path(generated.config["GENERATED_DIR"])
    assert pdf_path.startswith("issued/") and (storage / pdf_path).is_file()
    assert not exports.exists() or not list(exports.rglob("*"))
    legacy = exports / pdf_path  # where an older version kept it
    legacy.parent.mkdir(parents=True)
    (storage / pdf_path).rename(legacy)
    office = login("vanphong")
    downloaded = office.get(f"/van-ban/{directive_id}/tai-ve.pdf")
    assert downloaded.status_code == 200
    assert (storage / pdf_path).is_file() and not legacy.exists()
    assert downloaded.data == (storage / pdf_path).read_bytes()
