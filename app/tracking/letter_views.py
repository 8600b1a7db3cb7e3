"""Letters drafted from the follow-up: báo cáo tình hình thực hiện (DOCX or PDF, a job when long) and
công văn đôn đốc (a draft, approved and numbered like any letter)."""
from io import BytesIO

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app import scope
from app.documents import MEDIA_TYPES
from app.documents.letter import LetterError
from app.extensions import db
from app.rules import permissions
from app.rules.signers import default_signer
from app.text import ascii_int
from app.tracking import bp, choices, pages, reports
from app.tracking.forms import ReminderForm, ReportForm


def _letter_issuer():
    """Reports and reminders go out under the user's own agency (Văn phòng UBND …) when it has a header."""
    agency = current_user.agency
    while agency is not None and not agency.header_lines:
        agency = agency.parent
    return agency


def _default_signer(form, issuer) -> None:
    """An empty form starts with the signature block ND30 gives the issuing organisation (its head)."""
    if issuer is not None:
        signer = default_signer(issuer.kind, deputy=False)
        form.signer_authority.data = signer["authority"] or ""
        form.signer_authority_title.data = signer["authority_title"]
        form.signer_title.data = signer["title"]


def _signer(form) -> dict:
    return {"authority": form.signer_authority.data or None, "authority_title": form.signer_authority_title.data,
            "title": form.signer_title.data, "name": form.signer_name.data or None}


@bp.route("/theo-doi/bao-cao")
@scope.guard(allowed=permissions.can_follow)
def report():
    """Báo cáo tình hình thực hiện: one directive, or the tasks due in a period; DOCX or PDF."""
    organisation = pages.organisation()
    form = ReportForm(request.args if set(request.args) - {pages.ORG_ARG} else None)
    directives = choices.directives(organisation.id, ascii_int(request.args.get("directive", "")))
    form.valid_directives = pages.offer(form.directive, "— Theo kỳ báo cáo —", directives, "van-ban", organisation)
    issuer = _letter_issuer()
    asked = bool(set(request.args) - {pages.ORG_ARG})
    if not asked:
        _default_signer(form, issuer)
    if asked and issuer is None:
        flash("Tài khoản chưa gắn với cơ quan có tiêu đề văn bản nên chưa lập được báo cáo.", "danger")
    elif asked and form.validate():
        from app.jobs import exports, runner
        from app.jobs.runner import JobError

        values = {"directive": form.directive.data or None, "recipients": form.recipients.data,
                  "signer": _signer(form), "format": form.format.data,
                  "deadline_from": form.deadline_from.data.isoformat() if form.deadline_from.data else None,
                  "deadline_to": form.deadline_to.data.isoformat() if form.deadline_to.data else None}
        count = exports.report_rows(current_user, organisation.id, values)
        if count > current_app.config["REPORT_JOB_ROWS"]:
            _filters, scope_text = exports.report_filters(values)
            runner.start(current_user, "report", f"Báo cáo {scope_text[:200]} ({count} nhiệm vụ)",
                         {"organisation_id": organisation.id, "values": values}, organisation_id=organisation.id)
            db.session.commit()
            flash(f"Báo cáo gồm {count} nhiệm vụ nên được lập dưới nền; tệp sẽ có ở đây khi xong.", "info")
            return redirect(url_for("jobs.index"))
        try:
            content, download_name = exports.report_bytes(current_user, organisation.id, values)
        except (LetterError, JobError) as error:
            flash(str(error), "danger")
        else:
            return send_file(BytesIO(content), mimetype=MEDIA_TYPES[form.format.data], as_attachment=True,
                             download_name=download_name, max_age=0)
    return render_template("tracking/report.html", form=form, issuer=issuer, **pages.org_context(organisation)), \
        400 if form.errors else 200


@bp.route("/theo-doi/don-doc", methods=["GET", "POST"])
@scope.guard(allowed=permissions.can_remind)
def reminder():
    """Công văn đôn đốc: drafted here, then approved and numbered like any letter."""
    organisation = pages.organisation()
    form = ReminderForm()
    agencies = choices.agencies(organisation.id, False, ascii_int(request.form.get("agency", "")))
    form.valid_agencies = pages.offer(form.agency, "— Mọi đơn vị có nhiệm vụ quá hạn hoặc sắp đến hạn —", agencies,
                                 "don-vi", organisation)
    issuer = _letter_issuer()
    today, window = pages.today_and_window()
    if request.method == "GET":
        _default_signer(form, issuer)
    if form.validate_on_submit():
        if issuer is None:
            flash("Tài khoản chưa gắn với cơ quan có tiêu đề văn bản nên chưa lập được công văn.", "danger")
        elif form.report_by.data < today:
            form.report_by.errors.append("Hạn báo cáo không được ở trong quá khứ.")
        else:
            letter, count = reports.draft_reminder(int(form.agency.data) if form.agency.data else None,
                                                   form.report_by.data, issuer, _signer(form), current_user,
                                                   today, window, organisation.id)
            if letter is None:
                flash("Không có nhiệm vụ nào quá hạn hoặc sắp đến hạn để đôn đốc.", "info")
            else:
                db.session.commit()
                flash(f"Đã lập dự thảo công văn đôn đốc {count} nhiệm vụ; trình lãnh đạo duyệt rồi văn thư cấp số.",
                      "success")
                return redirect(url_for("directives.show", directive_id=letter.id))
    return render_template("tracking/reminder.html", form=form, issuer=issuer, **pages.org_context(organisation)), \
        400 if form.errors else 200
