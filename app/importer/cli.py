"""`flask --app app directive import FILE [--dry-run]`: the work behind the command.

--dry-run prints the directive format as JSON (UTF-8, NFC, non-ASCII kept) with an "import"
report (the issuer found, names not found in the directory, warnings) and writes nothing.
Without it the directive is saved as a draft and its id printed. Any problem: a Vietnamese
message on standard error, exit status 1, nothing saved, no traceback.
"""
import json
import sys
import unicodedata
from pathlib import Path

import click

from app.extensions import db
from app.importer.errors import ImportRefused


def run_import(file: str, dry_run: bool) -> int:
    from app.importer.service import as_json, import_document, max_bytes, save_draft

    path = Path(file)
    try:
        if not path.is_file():
            raise ImportRefused(f"Không tìm thấy tệp “{file}”.")
        size = path.stat().st_size
        if size > max_bytes():
            from app.importer.readers import megabytes

            raise ImportRefused(f"Tệp quá lớn ({megabytes(size)}); chỉ nhận tệp đến {megabytes(max_bytes())}.")
        result = import_document(content=path.read_bytes(), filename=path.name)
        if dry_run:
            text = json.dumps(as_json(result), ensure_ascii=False, indent=2)
            _write_stdout(unicodedata.normalize("NFC", text) + "\n")
            db.session.rollback()
            return 0
        directive = save_draft(result, None)
        db.session.commit()
    except ImportRefused as error:
        db.session.rollback()
        click.echo(f"Lỗi: {error.message}", err=True)
        return 1
    except OSError as error:
        db.session.rollback()
        click.echo(f"Lỗi: không đọc được tệp “{file}” ({error.strerror or error}).", err=True)
        return 1
    except Exception:  # never a traceback for the user; the database is left as it was
        db.session.rollback()
        click.echo(f"Lỗi: không nhập được tệp “{file}” do lỗi hệ thống; chưa có gì được lưu.", err=True)
        return 1
    for warning in result.warnings:
        click.echo(f"Lưu ý: {warning}", err=True)
    click.echo(f"Đã lưu dự thảo, mã văn bản {directive.id}: /van-ban/{directive.id}")
    return 0


def _write_stdout(text: str) -> None:
    """UTF-8 whatever the terminal's locale says."""
    stream = getattr(sys.stdout, "buffer", None)
    if stream is not None:
        stream.write(text.encode("utf-8"))
        stream.flush()
    else:  # click's test runner gives a text stream
        sys.stdout.write(text)
