from flask import Blueprint

bp = Blueprint("tracking", __name__)

from app.tracking import assignment_views, letter_views, views  # noqa: E402,F401
