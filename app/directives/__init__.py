from flask import Blueprint

bp = Blueprint("directives", __name__)

from app.directives import register_views, views  # noqa: E402,F401
