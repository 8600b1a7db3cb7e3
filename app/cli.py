"""Command line: `flask --app app directive load ...`, `flask --app app user create ...`."""
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.directive_format import FormatError, read_directive_file
from app.documents import FORMATS, render
from app.documents.letter import LetterError
from app.extensions import db
from app.loader import LoadError, database_is_empty, demo_logins, load_path
from app.rules.permissions import ROLES
from app.numbers import number as vn_number

directive_cli = AppGroup("directive", help="Văn bản chỉ đạo: nạp từ tệp.")
user_cli = AppGroup("user", help="Tài khoản người dùng.")
tracking_cli = AppGroup("tracking", help="Theo dõi thực hiện nhiệm vụ.")
demo_cli = AppGroup("demo", help="Dữ liệu trình diễn.")
backup_cli = AppGroup("backup", help="Sao lưu và phục hồi: cơ sở dữ liệu và mọi tệp lưu trữ.")


@backup_cli.command("create")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def backup_create_command(path):
    """Ghi một tệp sao lưu (.tar.gz): bản sao nhất quán của cơ sở dữ liệu và mọi tệp, kèm mã SHA-256."""
    from app import backup

    try:
        written, manifest = backup.create(Path(path) if path else None)
    except backup.BackupError as error:
        _fail(str(error))
    files = len(manifest["members"]) - 1
    rows = sum(manifest["database"]["tables"].values())
    click.echo(f"Đã sao lưu vào {written}: cơ sở dữ liệu {manifest['database']['dialect']} "
               f"({len(manifest['database']['tables'])} bảng, {vn_number(rows)} dòng) và {files} tệp.")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False))
def backup_restore_command(archive):
    """Phục hồi từ một tệp sao lưu (dừng máy chủ trước): thay cơ sở dữ liệu và thư mục lưu trữ, rồi kiểm tra."""
    from app import backup

    try:
        result = backup.restore(Path(archive))
    except backup.BackupError as error:
        _fail(str(error))
    click.echo(f"Đã phục hồi từ {archive} và kiểm tra: {result['tables']} bảng, {vn_number(result['rows'])} dòng, "
               f"{result['files']} tệp khớp mã SHA-256.")
signing_cli = AppGroup("signing", help="Chữ ký số: chứng thư, ký, kiểm tra.")


@directive_cli.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--if-empty", is_flag=True, help="Chỉ nạp khi cơ sở dữ liệu chưa có văn bản nào.")
@click.option("--demo-users/--no-demo-users", default=None,
              help="Tạo tài khoản trình diễn (mặc định: có ở chế độ trình diễn DEMO=1, không có ngoài nó).")
def load_command(paths, if_empty, demo_users):
    """Nạp danh mục cơ quan (_agencies.yaml), các tệp văn bản và (chế độ trình diễn) tài khoản trình diễn."""
    from app.setup_cli import demo_mode

    if demo_users and not demo_mode():
        _fail("tài khoản trình diễn (mật khẩu ai cũng biết) chỉ được tạo ở chế độ trình diễn (DEMO=1).")
    demo_users = demo_mode() if demo_users is None else demo_users
    if if_empty and not database_is_empty():
        click.echo("Cơ sở dữ liệu đã có dữ liệu: bỏ qua bước nạp dữ liệu trình diễn.")
        return
    total = {"agencies": 0, "groups": 0, "directives": 0, "skipped": 0, "users": 0}
    for path in paths:
        try:
            report = load_path(path, with_demo_users=demo_users)
        except (FormatError, LoadError) as error:
            db.session.rollback()
            click.echo(f"Lỗi: {error}", err=True)
            sys.exit(1)
        for key in total:
            total[key] += report[key]
        for warning in report["warnings"]:
            click.echo(f"Lưu ý: {warning}", err=True)
    click.echo(
        f"Đã nạp {total['directives']} văn bản (bỏ qua {total['skipped']} văn bản đã có), "
        f"{total['agencies']} cơ quan, {total['groups']} nhóm, {total['users']} tài khoản mới."
    )
    if demo_users:  # the demo's own CA: a certificate and images for every leader and organisation
        from app.signing.service import demo_credentials_for_all
        from app.exchange.service import assign_demo_codes
        made = demo_credentials_for_all()
        assign_demo_codes()
        db.session.commit()
        if made:
            click.echo(f"Đã cấp {made} chứng thư số thử nghiệm (CA demo, không có giá trị pháp lý).")


def _write(path: Path, content: bytes) -> None:
    """Write through a temporary file so that a failure never leaves half a letter behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


def _fail(message: str):
    click.echo(f"Lỗi: {message}", err=True)
    sys.exit(1)


@directive_cli.command("render")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="docx hoặc pdf")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Tệp kết quả.")
@click.option("--draft", is_flag=True, help="In dấu “DỰ THẢO”.")
def render_command(file, fmt, out, draft):
    """In một tệp văn bản (YAML/JSON) ra DOCX hoặc PDF, không cần cơ sở dữ liệu."""
    try:
        content = render(read_directive_file(file), fmt, draft=draft)
    except (FormatError, LetterError) as error:
        _fail(str(error))
    _write(Path(out), content)
    click.echo(f"Đã ghi {out} ({vn_number(len(content))} byte).")


@directive_cli.command("export")
@click.argument("directive_id", type=click.IntRange(min=1))
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="docx hoặc pdf")
@click.option("--out", type=click.Path(dir_okay=False), help="Mặc định: thư mục generated/.")
def export_command(directive_id, fmt, out):
    """Xuất văn bản trong cơ sở dữ liệu ra DOCX hoặc PDF (bản đã phát hành nếu đã cấp số)."""
    from app.directives import letters
    from app.models import Directive

    directive = db.session.get(Directive, directive_id) if directive_id < 2**31 else None
    if directive is None:
        _fail(f"không có văn bản số {directive_id} trong cơ sở dữ liệu.")
    try:
        content = letters.letter_bytes(directive, fmt)
    except (LetterError, letters.IssueError) as error:
        _fail(str(error))
    path = Path(out) if out else Path(current_app.config["GENERATED_DIR"]) / letters.file_name(directive, fmt)
    _write(path, content)
    click.echo(f"Đã ghi {path} ({vn_number(len(content))} byte).")


@demo_cli.command("logins")
def logins_command():
    """In các tài khoản trình diễn."""
    from app.setup_cli import demo_mode

    if not demo_mode():
        click.echo("Không ở chế độ trình diễn (DEMO=1): không có tài khoản trình diễn.")
        return
    groups = demo_logins()
    if not groups:
        click.echo("Chưa có tài khoản trình diễn.")
        return
    click.echo("Tài khoản trình diễn theo cơ quan (tên đăng nhập / mật khẩu — vai trò · nơi làm việc):")
    for organisation, rows in groups:
        click.echo(f"{organisation}:")
        for username, password, label in rows:
            click.echo(f"  {username:<14} / {password}  — {label}")


@demo_cli.command("activity")
def activity_command():
    """Thêm số liệu theo dõi mẫu (hạn, báo cáo, hoàn thành) cho dữ liệu trình diễn; chỉ chạy một lần."""
    from app import demo_activity
    from app.clock import local_today
    from app.setup_cli import demo_mode

    if not demo_mode():
        _fail("số liệu theo dõi mẫu chỉ được thêm ở chế độ trình diễn (DEMO=1).")
    if demo_activity.already_applied():
        click.echo("Đã có báo cáo tiến độ: bỏ qua số liệu theo dõi mẫu.")
        return
    touched = demo_activity.apply(local_today())
    db.session.commit()
    click.echo(f"Đã thêm số liệu theo dõi mẫu cho {touched} nhiệm vụ.")


@user_cli.command("create")
@click.argument("username")
@click.option("--full-name", required=True)
@click.option("--role", "roles", required=True, multiple=True, type=click.Choice(list(ROLES)),
              help="Vai trò tại cơ quan (lặp lại để có nhiều vai trò): staff, leader, clerk, admin.")
@click.option("--agency", "agency_name", default=None, help="Tên đầy đủ của cơ quan.")
@click.password_option()
def create_user_command(username, full_name, roles, agency_name, password):
    """Tạo một tài khoản."""
    from sqlalchemy import select

    from app.admin.service import UserError, create_user
    from app.models import Agency

    agency = None
    if agency_name:
        agency = db.session.scalar(select(Agency).where(Agency.name == agency_name))
        if agency is None:
            click.echo(f"Lỗi: không có cơ quan “{agency_name}”.", err=True)
            sys.exit(1)
    try:
        create_user(None, username=username, full_name=full_name, roles=list(roles), agency=agency, password=password)
    except UserError as error:
        click.echo(f"Lỗi: {error}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Đã tạo tài khoản {username}.")


@tracking_cli.command("snapshot")
@click.option("--date", "cutoff", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Ngày chốt số liệu, dạng YYYY-MM-DD.")
@click.option("--organisation", "organisation_name", default=None,
              help="Tên đầy đủ của cơ quan; mặc định: mọi cơ quan có văn bản đang theo dõi.")
def snapshot_command(cutoff, organisation_name):
    """Chốt số liệu theo đơn vị đến một ngày, để báo cáo kỳ sau còn so sánh được."""
    from sqlalchemy import select

    from app.models import Agency, Directive
    from app.rules.directive_states import LIVE
    from app.tracking import snapshots

    if organisation_name:
        organisations = db.session.scalars(select(Agency).where(Agency.name == organisation_name)).all()
        if not organisations:
            _fail(f"không có cơ quan “{organisation_name}”.")
    else:
        owners = select(Directive.owner_agency_id).where(Directive.state.in_(LIVE)).distinct()
        organisations = db.session.scalars(select(Agency).where(Agency.id.in_(owners)).order_by(Agency.name)).all()
    for organisation in organisations:
        try:
            snapshot = snapshots.take(cutoff.date(), None, current_app.config["DUE_SOON_DAYS"], organisation.id)
        except snapshots.EmptyCutoff as error:
            click.echo(f"{organisation.name}: {error}")
            continue
        figures = snapshots.totals(snapshot)
        click.echo(f"Đã chốt số liệu đến ngày {snapshot.cutoff:%d/%m/%Y} của {organisation.name}: "
                   f"{len(snapshot.rows)} đơn vị, " + ", ".join(f"{key} {value}" for key, value in figures.items()) + ".")
    db.session.commit()


@tracking_cli.command("occurrences")
def occurrences_command():
    """Kỳ mới của các nhiệm vụ định kỳ (chạy hằng ngày): tạo kỳ đến hạn tiếp theo và dời hạn theo kỳ chưa báo cáo."""
    from app.tracking import occurrences

    count = occurrences.refresh_all()
    db.session.commit()
    click.echo(f"Đã cập nhật kỳ báo cáo của {count} nhiệm vụ định kỳ.")


search_cli = AppGroup("search", help="Tìm kiếm toàn văn.")


@search_cli.command("rebuild")
def search_rebuild():
    """Viết lại toàn bộ chỉ mục tìm kiếm (sau khi nạp dữ liệu bằng SQL ngoài ứng dụng)."""
    from app import search
    from app.extensions import db

    with db.engine.begin() as connection:
        count = search.rebuild(connection)
    click.echo(f"Đã lập chỉ mục {count} mục (văn bản, nhiệm vụ, báo cáo).")


def register(app):
    from app.setup_cli import setup_command

    app.cli.add_command(setup_command)
    app.cli.add_command(backup_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(tracking_cli)
    app.cli.add_command(directive_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(signing_cli)
    from app.exchange import cli as exchange_cli  # noqa: F401  (registers `flask exchange`)
    app.cli.add_command(exchange_cli.exchange_cli)

    from app.jobs import cli as jobs_cli

    jobs_cli.register(app)


@directive_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Chỉ in kết quả đọc được (JSON), không lưu gì.")
def import_command(file, dry_run):
    """Nhập một văn bản (.txt, .md, .docx, .pdf có lớp chữ) thành dự thảo có cấu trúc."""
    from app.importer.cli import run_import

    sys.exit(run_import(file, dry_run))


@directive_cli.command("lint")
@click.argument("file", type=click.Path(dir_okay=False))
def lint_command(file):
    """Kiểm tra thể thức một văn bản .docx hoặc .pdf theo Nghị định 30/2020/NĐ-CP."""
    from app.lint.cli import run_lint

    sys.exit(run_lint(file))


@signing_cli.command("demo")
def signing_demo_command():
    """Tạo CA thử nghiệm (offline) và cấp chứng thư số, ảnh chữ ký, ảnh con dấu cho lãnh đạo và cơ quan còn thiếu."""
    from app.signing.service import demo_credentials_for_all

    made = demo_credentials_for_all()
    db.session.commit()
    click.echo(f"Đã cấp {made} chứng thư số thử nghiệm (CA demo, không có giá trị pháp lý).")


@signing_cli.command("trust")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def signing_trust_command(file):
    """Thêm chứng thư gốc (PEM) vào danh sách gốc tin cậy khi kiểm tra chữ ký."""
    from cryptography import x509

    from app.signing.service import add_trust_root

    for certificate in x509.load_pem_x509_certificates(Path(file).read_bytes()):
        add_trust_root(certificate)
        click.echo(f"Đã thêm gốc tin cậy: {certificate.subject.rfc4514_string()}")
    db.session.commit()


@signing_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def signing_verify_command(file):
    """Kiểm tra chữ ký số của một tệp PDF; mã thoát 0 khi mọi chữ ký hợp lệ."""
    from app.signing.verify import verify_pdf

    report = verify_pdf(Path(file).read_bytes())
    click.echo(report.summary)
    for check in report.signatures:
        click.echo(f"- {check.signer} ({check.organisation}):")
        for message in check.messages:
            click.echo(f"    {message}")
    sys.exit(0 if report.ok else 1)
