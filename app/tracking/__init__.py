from flask import Blueprint

bp = Blueprint("tracking", __name__)

from app.tracking import views  # noqa: E402,F401
