"""Helpers shared by the tests (tests never import each other's modules, nor conftest)."""
import os
import re
from contextlib import contextmanager
from pathlib import Path

import yaml
from sqlalchemy import event, select

from app.clock import local_today
from app.directives import received
from app.directives.letters import next_number
from app.documents.letter import format_number
from app.extensions import db
from app.models import Directive, User

ROOT = Path(__file__).resolve().parent.parent
DIRECTIVES_DIR = ROOT / "directives"
# A working morning in Việt Nam; `TEST_CLOCK=2026-12-01T19:30:00Z make test` runs the suite in the evening.
DEFAULT_CLOCK = "2026-06-15T09:00:00+07:00"


def pinned_instant(node) -> str:
    """The instant a test runs at: its clock marker, else TEST_CLOCK, else DEFAULT_CLOCK ("now": unpinned)."""
    marker = node.get_closest_marker("clock")
    return marker.args[0] if marker else os.environ.get("TEST_CLOCK") or DEFAULT_CLOCK


@contextmanager
def statements():
    """The SQL statements sent inside the block (inside an app context)."""
    seen = []

    def keep(_conn, _cursor, statement, _parameters, _context, _executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)

def go_live(app, keys=None) -> list[int]:
    """Put the approved demo directives (or those whose file name contains one of `keys`) into force
    as the clerk's "Cấp số và phát hành" would: next number of the register, today's date, arrival at
    every assignee. Rendering the letters is left out for speed; test_issuing covers it."""
    ids = []
    with app.app_context():
        for directive in db.session.scalars(select(Directive).where(Directive.state == "approved")
                                            .order_by(Directive.id)):
            if keys and not any(key in (directive.source_key or "") for key in keys):
                continue
            today = local_today()
            directive.number = format_number(next_number(directive.issuer_agency_id, today.year))
            directive.issued_date = today
            directive.state = "issued"
            received.went_out(directive, today, None)
            ids.append(directive.id)
        db.session.commit()
    return ids


def user_named(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def directive_from(key: str) -> Directive:
    return db.session.scalar(select(Directive).where(Directive.source_key.contains(key)))


def pdf_bytes(operators: bytes = b"BT /F1 12 Tf 72 720 Td (Bien ban) Tj ET\n", compress: bool = False) -> bytes:
    """A one-page PDF that real readers open, drawing `operators`; compressed (FlateDecode) on request,
    which is how a small file inflates into a content stream that takes a reader minutes."""
    import zlib

    stream = zlib.compress(operators, 9) if compress else operators
    flate = b" /Filter /FlateDecode" if compress else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(stream), flate) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def inflating_pdf(megabytes: int = 4) -> bytes:
    """About 12 KB per 4 MB of drawing operators once inflated: pdfminer needs ~30 s for 4 MB."""
    line = b"BT /F1 12 Tf 72 720 Td (a) Tj ET\n"
    return pdf_bytes(line * (megabytes * 1024 * 1024 // len(line)), compress=True)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Client:
    """A test client that logs in and posts forms the way a browser does (with the CSRF token)."""

    def __init__(self, app):
        self.client = app.test_client()

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post_form(self, url, data, page=None, **kwargs):
        """Post `data` with the CSRF token taken from `page` (default: the same URL)."""
        html = self.client.get(page or url).get_data(as_text=True)
        return self.client.post(url, data={"csrf_token": csrf_from(html), **data}, **kwargs)

    def login(self, username, password="demo1234"):
        response = self.post_form("/dang-nhap", {"username": username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return self

    def logout(self):
        html = self.client.get("/", follow_redirects=True).get_data(as_text=True)
        return self.client.post("/dang-xuat", data={"csrf_token": csrf_from(html)})


# ---- the importer's fixtures (tests/fixtures/import): a text and the directive it must give ----------

FIXTURES = ROOT / "tests" / "fixtures" / "import"
FIXTURE_FILES = sorted(FIXTURES.glob("*.yaml"))
HEADER_FIELDS = ("doc_type", "issuer", "number", "symbol", "place", "date", "subject", "urgency")
TASK_KEYS = ("text", "deadline", "deadline_text", "recurrence")


def load_fixture(path: Path) -> dict:
    fixture = yaml.safe_load(path.read_text(encoding="utf-8"))
    fixture["text"] = (path.parent / fixture["source"]).read_bytes()
    return fixture


def assert_same_structure(got: dict, expected: dict, where=""):
    """Field by field, so a failure names the field."""
    for key in HEADER_FIELDS + ("recipients", "preamble", "closing", "cc", "signer"):
        assert got[key] == expected[key], f"{where}{key}"
    assert [s["number"] for s in got["sections"]] == [s["number"] for s in expected["sections"]], f"{where}sections"
    for section, wanted in zip(got["sections"], expected["sections"]):
        at = f"{where}section {wanted['number']}: "
        assert section["heading"] == wanted["heading"], at + "heading"
        assert [(a["agency"], a["role"]) for a in section["assignees"]] == \
               [(a["agency"], a["role"]) for a in wanted["assignees"]], at + "assignees"
        assert len(section["tasks"]) == len(wanted["tasks"]), at + "number of tasks"
        for index, (task, wanted_task) in enumerate(zip(section["tasks"], wanted["tasks"])):
            for key in TASK_KEYS:
                assert task.get(key) == wanted_task.get(key), f"{at}task {index + 1} {key}"
