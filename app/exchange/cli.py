"""`flask exchange ...`: agency codes, sending a directive, reading the inbox (the folder exchange)."""
import sys

import click
from flask.cli import AppGroup

from app.extensions import db

exchange_cli = AppGroup("exchange", help="Trao đổi văn bản điện tử (gói tin edXML, QCVN 102:2016/BTTTT).")


@exchange_cli.command("codes")
def codes_command():
    """Cấp mã định danh thử nghiệm (nhóm Z, không có thật) cho các cơ quan chưa có mã."""
    from app.exchange.service import assign_demo_codes

    made = assign_demo_codes()
    db.session.commit()
    click.echo(f"Đã cấp {made} mã định danh thử nghiệm.")


@exchange_cli.command("send")
@click.argument("directive_id", type=int)
@click.option("--to", "codes", multiple=True, help="Mã định danh cơ quan nhận (mặc định: các cơ quan được giao).")
def send_command(directive_id, codes):
    """Ghi gói tin edXML của một văn bản đã phát hành và ký số vào outbox/."""
    from app.exchange.service import ExchangeError, agency_by_code, export_directive
    from app.models import Directive

    directive = db.session.get(Directive, directive_id)
    if directive is None:
        click.echo(f"Không có văn bản số hiệu {directive_id}.", err=True)
        sys.exit(1)
    receivers = None
    if codes:
        receivers = [agency_by_code(code) for code in codes]
        if None in receivers:
            click.echo("Không có cơ quan mang mã: " + ", ".join(c for c, a in zip(codes, receivers) if a is None), err=True)
            sys.exit(1)
    try:
        path, _message = export_directive(directive, None, receivers)
    except ExchangeError as error:
        click.echo(f"Lỗi: {error}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(str(path))


@exchange_cli.command("inbox")
def inbox_command():
    """Đọc mọi gói tin trong inbox/: văn bản vào sổ đến, trạng thái vào lịch sử; gói hỏng sang inbox/rejected/."""
    from app.exchange.service import process_inbox

    imported, refused = process_inbox()
    click.echo(f"Đã nhận {imported} gói tin.")
    for name, reason in refused:
        click.echo(f"Từ chối {name}: {reason}", err=True)
    sys.exit(1 if refused else 0)


@exchange_cli.command("loopback")
def loopback_command():
    """(Trình diễn) Chuyển các gói tin từ outbox/ sang inbox/, như trục liên thông sẽ làm."""
    from app.exchange.service import loopback

    click.echo(f"Đã chuyển {loopback()} gói tin sang inbox/.")
