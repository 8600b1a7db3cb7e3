"""`flask jobs worker` (a Huey consumer for this app) and `flask jobs morning` (the morning's work now)."""
import logging
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Hàng đợi công việc nền (Huey): tiến trình xử lý, việc định kỳ.")


@jobs_cli.command("worker")
@click.option("--workers", "-w", default=1, show_default=True, help="Số luồng xử lý.")
@click.option("--no-periodic", is_flag=True, help="Không chạy việc định kỳ (khi đã có tiến trình khác chạy).")
def worker_command(workers, no_periodic):
    """Chạy một tiến trình xử lý hàng đợi (SQLite trong instance/, hoặc Redis khi có REDIS_URL)."""
    from app.jobs import huey

    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] %(levelname)s %(name)s: %(message)s")
    huey.immediate = False
    where = current_app.config["HUEY_SQLITE_PATH"]
    if current_app.config["REDIS_URL"]:
        from urllib.parse import urlsplit

        parts = urlsplit(current_app.config["REDIS_URL"])
        where = f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"  # never the password
    click.echo(f"Hàng đợi “{huey.name}” tại {where}: {workers} luồng xử lý"
               + ("" if no_periodic else ", có việc định kỳ") + ".")
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=not no_periodic,
                                    initial_delay=0.1, backoff=1.15, max_delay=2.0)
    consumer.run()


@jobs_cli.command("morning")
@click.option("--date", "day", default=None, help="Ngày (yyyy-mm-dd), mặc định hôm nay theo giờ Việt Nam.")
def morning_command(day):
    """Chạy ngay việc buổi sáng: thư sắp đến hạn, quá hạn, thư tổng hợp, chốt số liệu cuối tháng."""
    from app.jobs.schedule import morning

    result = morning(date.fromisoformat(day) if day else None, force=True)
    click.echo(f"Đã chốt {len(result['snapshots'])} bộ số liệu, xếp hàng {result['mails']} thư.")


@jobs_cli.command("tallies")
def tallies_command():
    """Đếm lại số liệu của trang theo dõi cho hôm nay và cập nhật thống kê bảng (tự chạy lúc 00:01 mỗi đêm)."""
    from app.jobs.schedule import roll_tallies
    from app.numbers import number

    rows = roll_tallies()
    click.echo(f"Đã đếm lại số liệu theo dõi: {number(rows)} dòng.")


def register(app):
    app.cli.add_command(jobs_cli)
