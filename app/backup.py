"""`flask backup create [PATH]` and `flask backup restore ARCHIVE`: one tar.gz archive holding

    manifest.json          format, time, database kind, alembic revision, row counts per table, and the
                           SHA-256 and size of every member below
    database.sqlite3       SQLite: a consistent copy made with SQLite's online backup API, or
    database.pgdump        PostgreSQL: pg_dump's custom format (pg_restore reads it)
    storage/…              every file under STORAGE_DIR (frozen originals, evidence)
    evidence/…             the evidence folder, when UPLOAD_DIR puts it outside STORAGE_DIR

The database is copied first, then the files: a file the copy refers to is never missing (records are
only ever added). Restoring checks the whole archive (every hash, every size, no member outside the
manifest, no path leaving its folder) before it changes anything; a damaged archive is refused with a
Vietnamese message. Then it replaces the database and the storage folders, and checks again: the hash of
every file on disk and the row count of every table.
"""
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select, table, text

from app import storage
from app.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore refused, with a Vietnamese message."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _dialect() -> str:
    return db.engine.dialect.name


def table_counts() -> dict[str, int]:
    names = inspect(db.engine).get_table_names()
    with db.engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(table(name))).scalar_one() for name in sorted(names)}


def _revision() -> str | None:
    if "alembic_version" not in inspect(db.engine).get_table_names():
        return None
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


# ---- PostgreSQL through pg_dump / pg_restore --------------------------------------------------------

def _pg_env_and_schema() -> tuple[dict, str]:
    url = db.engine.url
    env = {**os.environ, "PGHOST": url.host or "localhost", "PGPORT": str(url.port or 5432),
           "PGDATABASE": url.database or "", "PGUSER": url.username or os.environ.get("PGUSER", "postgres")}
    if url.password:
        env["PGPASSWORD"] = url.password  # in the environment, never on a command line others can read
    with db.engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
    return env, schema


def _run(command: list[str], env: dict, what: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"Không tìm thấy chương trình {command[0]} (gói postgresql-client) để {what}.")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} báo lỗi khi {what}: {result.stderr.strip()[:500]}")


def _dump_database(target: Path) -> tuple[str, dict[str, int]]:
    """The copy, and the row count of every table as the copy holds it (the server may go on writing)."""
    if _dialect() == "sqlite":
        import sqlite3

        raw = db.engine.raw_connection()
        try:
            destination = sqlite3.connect(target)
            with destination:
                raw.driver_connection.backup(destination)  # online backup: a consistent copy, writers may go on
            names = [row[0] for row in destination.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            counts = {name: destination.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
            destination.close()
        finally:
            raw.close()
        return "database.sqlite3", counts
    if _dialect() == "postgresql":
        env, schema = _pg_env_and_schema()
        # one snapshot for the counts and for pg_dump, so both see the same rows while writers go on
        with db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
                names = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :schema "
                                          "ORDER BY tablename"), {"schema": schema}).scalars().all()
                counts = {name: conn.execute(select(func.count()).select_from(table(name))).scalar_one()
                          for name in names}
                _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--schema={schema}",
                      f"--snapshot={snapshot}", f"--file={target}"], env, "sao lưu cơ sở dữ liệu")
        return "database.pgdump", counts
    raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {_dialect()}.")


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu, phục hồi được.")
    return Path(database)


def _load_database(source: Path, name: str) -> None:
    db.session.remove()
    db.engine.dispose()
    if name == "database.sqlite3":
        if _dialect() != "sqlite":
            raise BackupError("Bản sao lưu là của SQLite, nhưng máy chủ đang dùng " + _dialect() + ".")
        import sqlite3

        origin = sqlite3.connect(source)
        destination = sqlite3.connect(_sqlite_path(), timeout=30)
        try:
            with destination:
                origin.backup(destination)  # replaces every page of the live file, WAL included
        finally:
            origin.close()
            destination.close()
        return
    if _dialect() != "postgresql":
        raise BackupError("Bản sao lưu là của PostgreSQL, nhưng máy chủ đang dùng " + _dialect() + ".")
    env, schema = _pg_env_and_schema()
    listing = subprocess.run(["pg_restore", "--list", str(source)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise _damaged("pg_restore không đọc được bản sao cơ sở dữ liệu")
    creates_schema = f" SCHEMA - {schema} " in listing.stdout
    db.engine.dispose()
    with db.engine.begin() as conn:  # an empty schema, then the dump: the database is exactly the copy
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        if not creates_schema:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db.engine.dispose()
    _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
          f"--dbname={env['PGDATABASE']}", str(source)], env, "phục hồi cơ sở dữ liệu")


# ---- create ----------------------------------------------------------------------------------------

def default_path() -> Path:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    return Path(current_app.config["BACKUP_DIR"]) / f"chidao-{stamp}.tar.gz"


def _stored_files() -> list[tuple[str, Path]]:
    found = []
    for name, folder in storage.roots().items():
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    found.append((f"{name}/{path.relative_to(folder).as_posix()}", path))
    return found


def create(path: Path | None = None) -> tuple[Path, dict]:
    path = Path(path) if path else default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    storage.adopt_all()  # files an older version kept in generated/ or instance/uploads belong in the archive
    with tempfile.TemporaryDirectory(prefix="chidao-backup-") as work:
        dump = Path(work) / "database"
        database_name, counts = _dump_database(dump)  # first the database, then the files it refers to
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "database": {"dialect": _dialect(), "name": database_name, "revision": _revision(),
                         "tables": counts},
            "members": {database_name: {"sha256": _sha256(dump), "size": dump.stat().st_size}},
        }
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(dump, arcname=database_name)
            for name, file in _stored_files():
                manifest["members"][name] = {"sha256": _sha256(file), "size": file.stat().st_size}
                archive.add(file, arcname=name)
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(dt.datetime.now().timestamp()), 0o600
            archive.addfile(info, io.BytesIO(data))
        partial.chmod(0o600)  # it holds password hashes
        os.replace(partial, path)
    return path, manifest


# ---- restore ---------------------------------------------------------------------------------------

def _damaged(reason: str) -> BackupError:
    return BackupError(f"Tệp sao lưu bị hỏng hoặc không đầy đủ ({reason}): không phục hồi, dữ liệu hiện tại giữ nguyên.")


def _unpack(archive_path: Path, work: Path) -> dict:
    """Every member extracted and checked against the manifest; raises before anything is changed."""
    try:
        with tarfile.open(archive_path, "r:*") as archive:
            members = archive.getmembers()
            names = [member.name for member in members]
            if MANIFEST not in names:
                raise _damaged("thiếu manifest.json")
            manifest = json.loads(archive.extractfile(MANIFEST).read())
            archive.extractall(work, members=[m for m in members if m.name != MANIFEST], filter="data")
    except BackupError:
        raise
    except (tarfile.TarError, OSError, EOFError, ValueError, UnicodeDecodeError) as error:
        raise _damaged(type(error).__name__) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _damaged("không đúng định dạng sao lưu của ứng dụng")
    expected = manifest.get("members") or {}
    present = set(names) - {MANIFEST}
    if present != set(expected):
        raise _damaged(f"{len(set(expected) ^ present)} tệp không khớp danh sách")
    for name, facts in expected.items():
        if not (name.startswith(("storage/", "evidence/")) or name == manifest["database"]["name"]):
            raise _damaged(f"tệp lạ {name}")
        file = work / name
        if not file.is_file() or file.stat().st_size != facts["size"] or _sha256(file) != facts["sha256"]:
            raise _damaged(f"mã SHA-256 của {name} không khớp")
    return manifest


def _replace_folder(target: Path, source: Path | None) -> None:
    """`target` becomes exactly `source` (or empty): staged beside it, then swapped."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{target.name}-restore-", dir=target.parent))
    if source is not None and source.is_dir():
        shutil.copytree(source, staged, dirs_exist_ok=True)
    old = target.with_name(f".{target.name}-old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(staged, target)
    shutil.rmtree(old, ignore_errors=True)


def restore(archive_path: Path) -> dict:
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise BackupError(f"Không có tệp sao lưu {archive_path}.")
    with tempfile.TemporaryDirectory(prefix="chidao-restore-") as work_dir:
        work = Path(work_dir)
        manifest = _unpack(archive_path, work)
        database = manifest["database"]
        _load_database(work / database["name"], database["name"])
        roots = storage.roots()
        for name, folder in roots.items():
            _replace_folder(folder, work / name)
        if "evidence" in {m.split("/")[0] for m in manifest["members"]} and "evidence" not in roots:
            # made with the evidence outside STORAGE_DIR, restored where it is inside: put it there
            _replace_folder(storage.evidence_dir(), work / "evidence")
    return verify(manifest)


def verify(manifest: dict) -> dict:
    """The restored state against the manifest: every table's row count, every file's hash."""
    problems = []
    counts = table_counts()
    for name, count in manifest["database"]["tables"].items():
        if counts.get(name) != count:
            problems.append(f"bảng {name}: {counts.get(name)} dòng, bản sao lưu có {count}")
    roots = storage.roots()
    for name, facts in manifest["members"].items():
        head, _, rest = name.partition("/")
        if head not in ("storage", "evidence"):
            continue
        folder = roots.get(head) or storage.evidence_dir()
        file = folder / rest
        if not file.is_file() or _sha256(file) != facts["sha256"]:
            problems.append(f"tệp {name} không khớp mã SHA-256")
    if problems:
        raise BackupError("Phục hồi xong nhưng kiểm tra không khớp: " + "; ".join(problems[:10]))
    files = sum(1 for name in manifest["members"] if name.split("/")[0] in ("storage", "evidence"))
    return {"tables": len(counts), "rows": sum(counts.values()), "files": files}
