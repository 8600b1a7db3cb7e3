"""The "Nhập từ văn bản" page: upload or paste, then the structured editor, nothing saved until
the user confirms with "Lưu văn bản" (which saves through the same path as manual entry)."""
from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from app.directives import views as directive_views
from app.directives.forms import AssigneeForm, LineForm, SectionForm, TaskForm
from app.extensions import db
from app.importer.errors import ImportRefused
from app.importer.forms import ImportForm, editor_form
from app.importer.service import import_document, max_bytes
from app.lint import lint_upload
from app.rules import permissions

bp = Blueprint("importer", __name__)


@bp.route("/nhap-van-ban", methods=["GET", "POST"])
def upload():
    if not permissions.can_create_directive(current_user):
        abort(403)
    if request.method == "POST" and request.form.get("step") != "doc":
        # the structured editor of an import posted back: save it as manual entry does
        return directive_views.create()
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("importer/upload.html", form=form), 400 if request.method == "POST" else 200
    upload_file = form.file.data
    lint_report = signature_report = None
    try:
        if upload_file and upload_file.filename:
            content = upload_file.read(max_bytes() + 1)
            result = import_document(content=content, filename=upload_file.filename)
            lint_report = lint_upload(content, upload_file.filename)  # which ND30 rules the letter breaks
            if content.startswith(b"%PDF") and b"/Sig" in content:  # a digitally signed PDF: check it too
                from app.signing.verify import verify_pdf
                signature_report = verify_pdf(content)
        else:
            result = import_document(text=form.text.data)
    except ImportRefused as error:
        db.session.rollback()
        return render_template("importer/upload.html", form=form, error=error.message), 400
    db.session.rollback()  # reading the directory only: nothing is saved before the user confirms
    return _review(result, lint_report, signature_report)


def _review(result, lint_report=None, signature_report=None):
    form = editor_form(result)
    prototypes = {name: cls(prefix="__PREFIX__-") for name, cls in
                  (("line", LineForm), ("assignee", AssigneeForm), ("task", TaskForm), ("section", SectionForm))}
    return render_template("importer/review.html", form=form, directive=None, prototypes=prototypes, result=result,
                           lint_report=lint_report, signature_report=signature_report,
                           form_action=url_for("directives.create"))
