"""The REST API (/api/v1): flask-smorest builds the OpenAPI 3 description from the marshmallow schemas
of the views, served at /api/v1/openapi.json with a Swagger UI page at /api/v1/tai-lieu.

Authentication is a personal access token (app/api/tokens.py) in `Authorization: Bearer …`, never
the browser session, so the API is exempt from CSRF and a logged-in browser cannot be tricked into
calling it. The token's user is the `current_user` of the request: scope (app/scope.py) and
permissions (app/rules/permissions.py) decide exactly as on the web."""
from flask import g
from flask_smorest import Api, Blueprint

from app.api import errors, throttle

API_TITLE = "Theo dõi chỉ đạo: API"
API_VERSION = "1"


class DirectiveApi(Api):
    from app.api.schemas import ErrorSchema as ERROR_SCHEMA  # one error shape, documented once

    def handle_http_exception(self, error):
        """JSON errors for the API only; the web pages keep their HTML error pages."""
        if not errors.is_api_request():
            return error
        return errors.from_exception(error)


api = DirectiveApi()
bp = Blueprint("api", __name__, url_prefix=errors.PREFIX,
               description="Văn bản chỉ đạo, văn bản đến, nhiệm vụ, số liệu theo dõi.")

PUBLIC = {"api-docs.openapi_json", "apidocs.page", "apidocs.static"}


throttle.per_token(bp)  # every route: API_RATE_LIMITS per token (app/api/throttle.py)


@bp.before_request
def authenticate():
    """Bearer token only: the session cookie is ignored here (no CSRF exposure). The token was
    already read for the rate limit, which runs first (throttle.request_token, once a request)."""
    from app.api import tokens

    found = throttle.request_token()
    if isinstance(found, tokens.Refused):
        return errors.error_response(401, found.message)
    g._login_user = found.user  # Flask-Login's current_user for this request
    return None


def init_app(app):
    from app.api.docs import docs_bp
    from app.extensions import csrf

    app.config.setdefault("API_TITLE", API_TITLE)
    app.config.setdefault("API_VERSION", API_VERSION)
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", errors.PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "Cùng quyền và phạm vi với tài khoản web của người tạo mã truy cập. "
                                "Lỗi trả về JSON với thông báo tiếng Việt."},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "Mã truy cập cá nhân (Tài khoản → Mã truy cập API)"}}},
        "security": [{"bearer": []}],
    })
    from app import IdConverter
    from app.api.schemas import MAX_ID

    api.init_app(app)
    api.register_converter(IdConverter, lambda converter: {"type": "integer", "minimum": 1, "maximum": MAX_ID})
    from app.api import views  # noqa: F401  (routes)

    api.register_blueprint(bp)
    csrf.exempt(bp)
    app.register_blueprint(docs_bp)
