"""Backup and restore (app/backup.py): backup → wipe → restore gives back every row of every table and
every stored file, on SQLite and PostgreSQL; a damaged archive is refused and changes nothing."""
import gzip
import hashlib
import re
import shutil
import tarfile
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, table, text

from app.directives import letters
from app.extensions import db
from app.models import Agency, Assignment, AuditEvent, Directive, User
from tests.helpers import Client, csrf_from, go_live, pdf_bytes


def everything(app) -> tuple[dict, dict]:
    """Every row of every table (ordered, as plain values) and every stored file's bytes."""
    with app.app_context():
        db.session.remove()
        rows = {}
        names = sorted(inspect(db.engine).get_table_names())
        with db.engine.connect() as conn:
            for name in names:
                result = conn.execute(select(text("*")).select_from(table(name)))
                rows[name] = sorted((tuple(row) for row in result), key=repr)
        root = Path(app.config["STORAGE_DIR"])
        files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    return rows, files


def wipe(app) -> None:
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    shutil.rmtree(app.config["STORAGE_DIR"])


@pytest.fixture
def filled(demo, tmp_path):
    """The demo with one letter issued by its clerk (two frozen files) and evidence sent by a department."""
    live = demo
    go_live(live, keys=["000-", "001-", "002-", "004-"])
    live.config["UPLOAD_DIR"] = ""  # evidence inside STORAGE_DIR
    live.config["GENERATED_DIR"] = str(tmp_path / "generated")
    with live.app_context():
        # seed 003 is issued the real way, rendering and storing both files
        target = db.session.scalar(select(Directive).where(Directive.source_key.contains("003-")))
        clerk = db.session.scalar(select(User).where(User.username == "langson.vt"))
        letters.issue(target, clerk, today=date(2026, 6, 15))
        db.session.commit()
        assignment = db.session.scalar(select(Assignment).join(Agency).where(Agency.name == "Sở Y tế tỉnh Kon Tum")
                                       .order_by(Assignment.id))
        url = f"/nhiem-vu/{assignment.id}"
    department = Client(live).login("soyte")
    page = department.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = department.client.post(url, content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "version": version, "action": "start", "percent": "30",
        "note": "Đã triển khai, có biên bản.", "files": [(BytesIO(pdf_bytes()), "bien-ban.pdf")]})
    assert response.status_code == 302
    return live


def test_backup_wipe_restore_gives_back_every_row_and_every_file(filled, tmp_path):
    before_rows, before_files = everything(filled)
    assert len(before_files) == 3 and {name.split("/")[0] for name in before_files} == {"issued", "evidence"}
    assert sum(map(len, before_rows.values())) > 500
    archive = tmp_path / "sao-luu.tar.gz"
    runner = filled.test_cli_runner()

    created = runner.invoke(args=["backup", "create", str(archive)])
    assert created.exit_code == 0, created.output
    assert "Đã sao lưu" in created.output and archive.is_file()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and sum(n.startswith("storage/") for n in names) == 3

    wipe(filled)
    with filled.app_context():
        assert inspect(db.engine).get_table_names() == []

    restored = runner.invoke(args=["backup", "restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert "khớp mã SHA-256" in restored.output
    after_rows, after_files = everything(filled)
    assert after_rows == before_rows
    assert after_files == before_files
    # the database works on after the restore: new ids continue past the restored ones
    with filled.app_context():
        last = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
        Client(filled).login("vanphong")
        assert db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())) > last


def damage_a_member(archive: Path, damaged: Path, member_prefix: str) -> None:
    """The archive rewritten with one byte of one member's content changed."""
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith(member_prefix):
                data = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
                member_prefix = "\0"  # only the first
            target.addfile(member, BytesIO(data))


@pytest.mark.parametrize("damage", ["file", "database", "truncated", "not-an-archive"])
def test_a_damaged_archive_is_refused_and_changes_nothing(filled, tmp_path, damage):
    archive, damaged = tmp_path / "good.tar.gz", tmp_path / "damaged.tar.gz"
    assert filled.test_cli_runner().invoke(args=["backup", "create", str(archive)]).exit_code == 0
    if damage == "file":
        damage_a_member(archive, damaged, "storage/issued/")
    elif damage == "database":
        damage_a_member(archive, damaged, "database.")
    elif damage == "truncated":
        damaged.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    else:
        damaged.write_bytes(gzip.compress(b"khong phai tep sao luu"))
    Client(filled).login("vanphong")  # a change after the backup, which a refused restore must keep
    before = everything(filled)

    result = filled.test_cli_runner().invoke(args=["backup", "restore", str(damaged)])
    assert result.exit_code == 1
    assert "Tệp sao lưu bị hỏng" in result.output and "dữ liệu hiện tại giữ nguyên" in result.output
    assert everything(filled) == before


def test_backup_goes_to_the_backup_folder_by_default(filled, tmp_path):
    filled.config["BACKUP_DIR"] = str(tmp_path / "backups")
    result = filled.test_cli_runner().invoke(args=["backup", "create"])
    assert result.exit_code == 0, result.output
    written = list((tmp_path / "backups").glob("chidao-*.tar.gz"))
    assert len(written) == 1 and oct(written[0].stat().st_mode & 0o777) == "0o600"
    with tarfile.open(written[0]) as tar:
        manifest = tar.extractfile("manifest.json").read().decode()
    for name, digest in re.findall(r'"(storage/[^"]+)": \{\s*"sha256": "([0-9a-f]{64})"', manifest):
        assert hashlib.sha256((Path(filled.config["STORAGE_DIR"]) / name.split("/", 1)[1]).read_bytes()).hexdigest() == digest


def test_files_an_older_version_left_in_generated_are_backed_up(filled, tmp_path):
    with filled.app_context():
        pdf_path = db.session.scalar(select(Directive).where(Directive.source_key.contains("003-"))).register_entry.pdf_path
    storage_file = Path(filled.config["STORAGE_DIR"]) / pdf_path
    legacy = Path(filled.config["GENERATED_DIR"]) / pdf_path
    legacy.parent.mkdir(parents=True, exist_ok=True)
    storage_file.rename(legacy)
    archive = tmp_path / "b.tar.gz"
    assert filled.test_cli_runner().invoke(args=["backup", "create", str(archive)]).exit_code == 0
    with tarfile.open(archive) as tar:
        assert f"storage/{pdf_path}" in tar.getnames()
    assert storage_file.is_file() and not legacy.exists()
