"""The API's documentation page: Swagger UI from its pip package (swagger-ui-bundle), started by a
static script, so nothing comes from a CDN and no inline script is needed."""
from flask import Blueprint, render_template
from swagger_ui_bundle import swagger_ui_path

docs_bp = Blueprint("apidocs", __name__, static_folder=swagger_ui_path, static_url_path="/api/v1/swagger-ui")


@docs_bp.route("/api/v1/tai-lieu")
def page():
    return render_template("api/docs.html")
