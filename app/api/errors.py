"""The API's errors: JSON with a Vietnamese message, the same shape for every status.

    {"code": 404, "status": "Not Found", "message": "Không tìm thấy …", "errors": {...}}
"""
from flask import jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

PREFIX = "/api/v1"

MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Thiếu mã truy cập, hoặc mã không đúng, đã bị thu hồi hay tài khoản đã bị khóa. "
         "Gửi tiêu đề “Authorization: Bearer <mã truy cập>”.",
    403: "Tài khoản của mã truy cập này không được phép thực hiện thao tác này.",
    404: "Không tìm thấy, hoặc không thuộc phạm vi của tài khoản.",
    405: "Địa chỉ này không nhận phương thức đó.",
    406: "Không có định dạng trả về phù hợp.",
    409: "Dữ liệu vừa được người khác cập nhật: đọc lại bản mới nhất (version) rồi gửi lại.",
    413: "Dữ liệu gửi lên quá lớn.",
    415: "Kiểu nội dung không được hỗ trợ.",
    422: "Dữ liệu gửi lên không hợp lệ.",
    429: "Quá nhiều yêu cầu; thử lại sau.",
    500: "Lỗi hệ thống: thao tác chưa được lưu.",
}


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def _named(errors):
    """Field errors with text keys: a form field whose name is only a line break reaches marshmallow as
    None, and JSON (its keys sorted) cannot hold that beside the other names."""
    if isinstance(errors, dict):
        return {("_schema" if key is None else str(key)): _named(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [_named(value) for value in errors]
    return errors


def error_response(code: int, message: str | None = None, errors=None):
    body = {"code": code, "status": HTTP_STATUS_CODES.get(code, "Error"),
            "message": message or MESSAGES.get(code, "Lỗi.")}
    if errors:
        body["errors"] = _named(errors)
    response = jsonify(body)
    response.status_code = code
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def from_exception(error: HTTPException):
    """An HTTPException raised in the API (abort, webargs' 422) as the JSON error."""
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    message = data.get("message") if isinstance(data.get("message"), str) else None
    errors = data.get("messages") or data.get("errors")
    if message is None and isinstance(error.description, str) and getattr(error, "vietnamese", False):
        message = error.description
    if code == 429 and message is None:
        from app.api.throttle import breach_message

        message = breach_message()
    return error_response(code, message, errors)


class ApiError(HTTPException):
    """abort() with a Vietnamese message of our own: raise ApiError(409, "…")."""

    vietnamese = True

    def __init__(self, code: int, message: str, errors=None):
        super().__init__(description=message)
        self.code = code
        self.data = {"message": message, **({"errors": errors} if errors else {})}
