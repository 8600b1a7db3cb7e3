"""Application factory: configuration, extensions, blueprints, commands, error pages."""
from pathlib import Path

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import BaseConverter

from app.config import load_config
from app.extensions import bootstrap, compress, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


class IdConverter(BaseConverter):
    """Record ids in URLs: 1 to 9 digits, so a huge number is a 404 rather than a database error."""

    regex = r"[1-9][0-9]{0,8}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.url_map.converters["id"] = IdConverter
    load_config(app)
    if overrides:
        app.config.update(overrides)
    from app import logs

    logs.register(app)  # first: its before_request gives every request its id
    if app.config.get("TESTING") and (overrides or {}).get("HUEY_IMMEDIATE") is not False:
        # tests run queued work in the request unless they ask for a real queue (HUEY_IMMEDIATE=False)
        app.config["HUEY_IMMEDIATE"] = True

    @app.before_request
    def allow_file_uploads():
        """Pages that take files get a larger body limit, set before the CSRF check reads the form:
        evidence with progress reports, and documents to import (whose own check then names the limit)."""
        if request.endpoint == "tracking.assignment":
            request.max_content_length = (app.config["MAX_UPLOAD_BYTES"] * app.config["MAX_UPLOAD_FILES"]
                                          + 1024 * 1024)
        elif request.endpoint == "api.assignment_reports":
            request.max_content_length = (app.config["MAX_UPLOAD_BYTES"] * app.config["MAX_UPLOAD_FILES"]
                                          + 1024 * 1024)
        elif request.endpoint == "importer.upload":
            from app.importer.service import max_bytes

            request.max_content_length = 2 * max_bytes()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)

    from app import jobs
    from app.jobs import exports, mail, runner, schedule  # noqa: F401  (register the tasks and job kinds)
    from app.importer import jobs as _ocr_jobs  # noqa: F401  (the OCR of a scan, a job kind)

    jobs.configure(app)

    from app import models  # noqa: F401  (register tables)
    from app import search
    from app.tracking import tallies

    search.init_app(app)
    tallies.init_app(app)
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.directives import bp as directives_bp
    from app.importer.views import bp as importer_bp
    from app.tracking import bp as tracking_bp
    from app.jobs.views import bp as jobs_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(directives_bp)
    app.register_blueprint(tracking_bp)
    app.register_blueprint(importer_bp)
    from app.signing.views import bp as signing_bp
    app.register_blueprint(signing_bp)
    from app.exchange.views import bp as exchange_bp
    app.register_blueprint(exchange_bp)
    app.register_blueprint(admin_bp, url_prefix="/quan-tri")
    app.register_blueprint(jobs_bp)

    from app import api

    api.init_app(app)

    from app import cli, health, http_headers, web

    cli.register(app)
    web.register(app)
    health.register(app)
    http_headers.register(app)
    _register_error_pages(app)
    return app


ERROR_MESSAGES = {
    400: ("Yêu cầu không hợp lệ", "Dữ liệu gửi lên không đúng. Vui lòng tải lại trang và thử lại."),
    403: ("Không có quyền truy cập", "Tài khoản của bạn không được phép xem hoặc thay đổi nội dung này."),
    404: ("Không tìm thấy trang", "Trang hoặc hồ sơ bạn tìm không tồn tại, hoặc không thuộc đơn vị của bạn."),
    405: ("Thao tác không được hỗ trợ", "Trang này không nhận loại yêu cầu đó."),
    413: ("Dữ liệu gửi lên quá lớn", "Nội dung gửi lên vượt quá giới hạn cho phép. Vui lòng rút gọn và thử lại."),
    409: ("Nội dung vừa được thay đổi", "Người khác vừa thay đổi nội dung này trước bạn nên thao tác của bạn "
                                        "chưa được lưu. Hãy tải lại trang để xem bản mới nhất rồi làm lại nếu vẫn cần."),
    429: ("Tạm khóa đăng nhập", "Đã nhập sai mật khẩu quá nhiều lần. Vui lòng chờ một lúc rồi thử lại; "
                                "nếu quên mật khẩu, hãy liên hệ quản trị."),
    503: ("Máy chủ đang bận", "Máy chủ đang ghi dữ liệu khác nên chưa lưu được thao tác của bạn. "
                              "Vui lòng thử lại sau ít giây."),
    500: ("Lỗi hệ thống", "Đã có lỗi xảy ra. Thao tác chưa được lưu; vui lòng thử lại hoặc báo quản trị."),
}


def _register_error_pages(app: Flask) -> None:
    from app.api import errors as api_errors

    def render_error(code, message=None, error=None):
        if api_errors.is_api_request():  # the API's JSON errors (its 429 names the limit)
            return api_errors.from_exception(error) if error is not None else api_errors.error_response(code)
        title, default = ERROR_MESSAGES[code]
        return render_template("errors/error.html", code=code, title=title, message=message or default), code

    for code in ERROR_MESSAGES:
        app.register_error_handler(code, lambda error, code=code: render_error(code, error=error))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400, "Biểu mẫu đã hết hạn hoặc thiếu mã bảo mật (CSRF). Vui lòng tải lại trang rồi gửi lại."
        )

    @app.errorhandler(StaleDataError)
    @app.errorhandler(IntegrityError)
    def conflict(error):
        """Two people changed the same thing at once: versioned rows and unique keys let only the first
        through; the second is told so, with nothing half-saved."""
        db.session.rollback()
        logging.getLogger(__name__).warning("conflict on %s: %s", request.path, error.__class__.__name__)
        return render_error(409)

    @app.errorhandler(OperationalError)
    def busy(error):
        db.session.rollback()
        if "locked" not in str(error).lower() and "deadlock" not in str(error).lower():
            raise error
        response, code = render_error(503)
        return response, code, {"Retry-After": "5"}

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500)
