from flask import Blueprint

bp = Blueprint("directives", __name__)

from app.directives import views  # noqa: E402,F401
