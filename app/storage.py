"""Where the files that are records live: STORAGE_DIR (default instance/storage, outside the checkout by
configuration), never generated/ (which only receives ad-hoc exports and may be emptied at any time).

    STORAGE_DIR/issued/<year>/<agency id>/<directive id>-<name>.{docx,pdf}   frozen originals (RegisterEntry paths)
    STORAGE_DIR/evidence/<random>.<ext>                                      evidence files (Evidence.stored_name)

UPLOAD_DIR, when set, still names the evidence folder (older installations). Files written by older
versions (issued letters under GENERATED_DIR, evidence under instance/uploads) are moved into the storage
folder the first time they are asked for. `flask backup` copies every file under these roots.
"""
import shutil
from pathlib import Path

from flask import current_app


def root() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


def evidence_dir() -> Path:
    configured = current_app.config.get("UPLOAD_DIR")
    return Path(configured) if configured else root() / "evidence"


def roots() -> dict[str, Path]:
    """Every folder whose files a backup must hold, by the name it has inside the archive."""
    found = {"storage": root()}
    evidence = evidence_dir()
    if not evidence.resolve().is_relative_to(root().resolve()):
        found["evidence"] = evidence
    return found


def _adopt(target: Path, legacy: Path) -> Path:
    """A file an older version wrote elsewhere is moved to where it now belongs."""
    if not target.exists() and legacy.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(legacy), str(target))
    return target


def issued_file(relative: str) -> Path:
    """The frozen file of an issued letter, from the path its register entry keeps ("issued/2026/3/…")."""
    return _adopt(root() / relative, Path(current_app.config["GENERATED_DIR"]) / relative)


def evidence_file(stored_name: str) -> Path:
    return _adopt(evidence_dir() / stored_name, Path(current_app.instance_path) / "uploads" / stored_name)


def adopt_all() -> int:
    """Move in every record file an older version left elsewhere (before a backup); returns how many."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Evidence, RegisterEntry

    moved = 0
    for docx, pdf in db.session.execute(select(RegisterEntry.docx_path, RegisterEntry.pdf_path)):
        for relative in (docx, pdf):
            if relative and not (root() / relative).exists():
                moved += issued_file(relative).exists()
    for stored_name in db.session.scalars(select(Evidence.stored_name)):
        if not (evidence_dir() / stored_name).exists():
            moved += evidence_file(stored_name).exists()
    return moved
