"""The ND30 lint inside the application: issuing refuses a letter that breaks a MUST rule (and
keeps the register's number), the import page shows the rules an uploaded letter breaks, and the
lint block of the directive page lists rules, references and fixes in Vietnamese."""
import io
from datetime import date
from pathlib import Path

import pytest
from flask import render_template
from sqlalchemy import func, select

from app.directive_format import read_directive_file
from app.directives import letters
from app.documents import render
from app.extensions import db
from app.lint import lint_directive
from app.models import Directive, RegisterEntry, User
from tests.helpers import DIRECTIVES_DIR, csrf_from

SEED = DIRECTIVES_DIR / "001-kon-tum-tiep-tuc-chi-dao-covid.yaml"


@pytest.fixture
def generated(demo, tmp_path):
    demo.config["GENERATED_DIR"] = str(tmp_path / "generated")
    return demo


def seed_001():
    return db.session.scalar(select(Directive).where(Directive.source_key.contains("001-")))


def test_a_letter_breaking_a_must_rule_is_not_issued(generated):
    with generated.app_context():
        clerk = db.session.scalar(select(User).where(User.username == "vanthu"))
        seed_001().cc_lines[0].text = "Sở Y tế"  # a công văn's Nơi nhận must start with "Như trên" (R36)
        db.session.commit()
        with pytest.raises(letters.IssueError) as caught:
            letters.issue(seed_001(), clerk, today=date(2026, 3, 2))
        db.session.rollback()
        message = str(caught.value)
        assert message.startswith("Văn bản chưa đạt thể thức Nghị định 30/2020/NĐ-CP nên chưa cấp số")
        assert "[R36] Thêm “- Như trên;” vào đầu danh sách nơi nhận." in message
        assert seed_001().state == "approved" and seed_001().number is None
        assert db.session.scalar(select(func.count(RegisterEntry.id))) == 0
        assert not list(Path(generated.config["GENERATED_DIR"]).rglob("*.*"))
        seed_001().cc_lines[0].text = "Như trên"
        db.session.commit()
        assert letters.issue(seed_001(), clerk, today=date(2026, 3, 2)).number == "01"


def _upload(user, content: bytes, filename: str):
    page = user.get("/nhap-van-ban").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "step": "doc", "file": (io.BytesIO(content), filename)}
    return user.client.post("/nhap-van-ban", data=data, content_type="multipart/form-data")


def test_the_import_page_shows_the_rules_an_uploaded_letter_breaks(demo, login):
    office = login("vanphong")
    data = dict(read_directive_file(SEED), number="05", date=date(2026, 1, 5))
    clean = _upload(office, render(data, "pdf"), "cv.pdf").get_data(as_text=True)
    assert 'data-testid="import-lint"' in clean and "không phát hiện lỗi" in clean
    broken = dict(data, cc=["Sở Y tế", "Lưu: VT, KGVX"])
    html = _upload(office, render(broken, "docx"), "cv.docx").get_data(as_text=True)
    assert 'data-rule="R36"' in html and "Nghị định 30/2020/NĐ-CP, Phụ lục I, nơi nhận (công văn)" in html
    assert "Cách sửa: Thêm “- Như trên;” vào đầu danh sách nơi nhận." in html
    text = "Kính gửi: Sở Y tế.\n\n1. Sở Y tế chủ trì triển khai.\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n"
    page = _upload(office, text.encode(), "cv.txt").get_data(as_text=True)
    assert 'data-testid="import-lint"' not in page  # a text file is not a laid-out letter


def test_the_directive_page_block_lists_rule_reference_and_fix(app):
    """The block the lead's view fills with `lint_report=lint_directive(directive_to_data(d))`."""
    data = read_directive_file(SEED)
    report = lint_directive(dict(data, cc=["Sở Y tế", "Lưu: VT"]), today=date(2026, 1, 5))
    with app.test_request_context():
        html = render_template("lint/report.html", report=report, testid="letter-lint")
    assert "Không đạt thể thức" in html and 'data-rule="R36"' in html and "(bắt buộc)" in html
    assert "alert-danger" in html
