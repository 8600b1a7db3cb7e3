from flask import Blueprint, abort
from flask_login import current_user

from app.rules.permissions import can_manage_directory

bp = Blueprint("admin", __name__)


@bp.before_request
def only_admins():
    if not can_manage_directory(current_user):
        abort(403)


from app.admin import views  # noqa: E402,F401
