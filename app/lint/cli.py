"""`flask --app app directive lint FILE`: the ND30 lint of a DOCX or PDF letter, in Vietnamese.
Exit status 1 when a MUST rule is broken or the file cannot be checked (a scan), 0 otherwise."""
from pathlib import Path

import click

from app.lint.service import LintError, lint_file, sniff_kind


def run_lint(file: str) -> int:
    path = Path(file)
    if not path.is_file():
        click.echo(f"Lỗi: Không tìm thấy tệp “{file}”.", err=True)
        return 1
    try:
        content = path.read_bytes()
        report = lint_file(content, sniff_kind(content, path.name))
    except LintError as error:
        click.echo(f"Lỗi: {error}", err=True)
        return 1
    except OSError as error:
        click.echo(f"Lỗi: không đọc được tệp “{file}” ({error.strerror or error}).", err=True)
        return 1
    click.echo(f"Kiểm tra thể thức {path.name} ({report.medium.upper()}"
               f"{f', {report.pages} trang' if report.pages else ''}):")
    for line in report.lines():
        click.echo(line)
    return 0 if report.passed and report.checked else 1
