"""Application factory: configuration, extensions, blueprints, commands, error pages."""
from pathlib import Path

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.routing import BaseConverter

from app.config import load_config
from app.extensions import bootstrap, compress, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


class IdConverter(BaseConverter):
    """Record ids in URLs: 1 to 9 digits, so a huge number is a 404 rather than a database error."""

    regex = r"[1-9]\d{0,8}"

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
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Writers wait for each other (up to 30 s) instead of failing with "database is locked".
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    @app.before_request
    def allow_file_uploads():
        """Pages that take files get a larger body limit, set before the CSRF check reads the form:
        evidence with progress reports, and documents to import (whose own check then names the limit)."""
        if request.endpoint == "tracking.assignment":
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

    from app import models  # noqa: F401  (register tables)
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.directives import bp as directives_bp
    from app.importer.views import bp as importer_bp
    from app.tracking import bp as tracking_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(directives_bp)
    app.register_blueprint(tracking_bp)
    app.register_blueprint(importer_bp)
    from app.signing.views import bp as signing_bp
    app.register_blueprint(signing_bp)
    from app.exchange.views import bp as exchange_bp
    app.register_blueprint(exchange_bp)
    app.register_blueprint(admin_bp, url_prefix="/quan-tri")

    from app import cli, web

    cli.register(app)
    web.register(app)
    _register_error_pages(app)
    return app


ERROR_MESSAGES = {
    400: ("Yêu cầu không hợp lệ", "Dữ liệu gửi lên không đúng. Vui lòng tải lại trang và thử lại."),
    403: ("Không có quyền truy cập", "Tài khoản của bạn không được phép xem hoặc thay đổi nội dung này."),
    404: ("Không tìm thấy trang", "Trang hoặc hồ sơ bạn tìm không tồn tại, hoặc không thuộc đơn vị của bạn."),
    405: ("Thao tác không được hỗ trợ", "Trang này không nhận loại yêu cầu đó."),
    413: ("Dữ liệu gửi lên quá lớn", "Nội dung gửi lên vượt quá giới hạn cho phép. Vui lòng rút gọn và thử lại."),
    500: ("Lỗi hệ thống", "Đã có lỗi xảy ra. Thao tác chưa được lưu; vui lòng thử lại hoặc báo quản trị."),
}


def _register_error_pages(app: Flask) -> None:
    def render_error(code, message=None):
        title, default = ERROR_MESSAGES[code]
        return render_template("errors/error.html", code=code, title=title, message=message or default), code

    for code in ERROR_MESSAGES:
        app.register_error_handler(code, lambda error, code=code: render_error(code))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400, "Biểu mẫu đã hết hạn hoặc thiếu mã bảo mật (CSRF). Vui lòng tải lại trang rồi gửi lại."
        )

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500)
