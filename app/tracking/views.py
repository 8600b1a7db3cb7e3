"""Tracking lists: the organisation's own tasks (inbox), what it follows up (dashboard, the office list,
their Excel files, the filters' choices, snapshots). Lists of work given to the user's organisations use
scope.own_assignments; what they follow up is one organisation at a time (`?co-quan=`), the directives it
owns. One assignment's pages are in assignment_views.py, the letters (báo cáo, đôn đốc) in letter_views.py."""
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from app import scope
from app.clock import format_local_datetime, local_today, utcnow
from app.extensions import db
from app.models import Agency, Directive
from app.rules import permissions
from app.rules import timeliness as T
from app.text import ascii_int, parse_vn_date
from app.tracking import bp, choices, pages, queries, snapshots, tallies
from app.web import MAX_PAGE, paginate_rows


def _list_page(template, within, extra_args=None, tallied=None, **extra):
    """A page of an assignment list; `tallied(filters, today, window)` gives its total from the tallies,
    or None when it must be counted."""
    filters = queries.parse_filters(request.args)
    today, window = pages.today_and_window()
    pagination = paginate_rows(queries.assignment_rows(filters, today, window, within),
                               current_app.config["PER_PAGE"],
                               lambda: queries.counted(filters, today, window, within,
                                                       tallied(filters, today, window) if tallied else None))
    return render_template(template, pagination=pagination, rows=pagination.items, filters=filters,
                           query_args={**filters.as_args(), **(extra_args or {})}, today=today, **extra)


@bp.route("/nhiem-vu")
@scope.guard(allowed=permissions.has_inbox)
def inbox():
    """Nhiệm vụ của đơn vị: what was given to the user's organisations."""
    agencies = scope.own_agencies(current_user)
    return _list_page("tracking/inbox.html", scope.own_assignments(current_user),
                      tallied=lambda filters, today, window: queries.inbox_total(
                          filters, today, window, agencies, tallies.current(db.session, today, window)))


@bp.route("/theo-doi/nhiem-vu")
@scope.guard(allowed=permissions.can_follow)
def assignments():
    """Every assignment of the organisation's directives, with all the filters; the dashboard links here."""
    organisation = pages.organisation()
    context = pages.org_context(organisation)
    filters = queries.parse_filters(request.args)
    ahead = tallies.current(db.session, *pages.today_and_window())  # asked once for the total and the agency filter
    return _list_page("tracking/assignments.html", queries.owned_by(organisation.id), context["org_args"],
                      tallied=lambda filters, _today, _window: queries.tallied_total(filters, ahead, organisation.id),
                      directives=choices.directives(organisation.id, filters.directive),
                      agencies=choices.agencies(organisation.id, ahead, filters.agency), **context)


CHOICE_KINDS = {"van-ban": "directives", "don-vi": "agencies"}


@bp.route("/theo-doi/lua-chon/<kind>")
@scope.guard(allowed=permissions.can_follow)
def filter_choices(kind):
    """The directives or agencies of the organisation matching what the user types in a filter (JSON)."""
    if kind not in CHOICE_KINDS:
        abort(404)
    organisation = pages.organisation()
    typed = request.args.get("q", "")
    if kind == "van-ban":
        found = choices.directives(organisation.id, typed=typed, limit=choices.FOUND)
    else:
        found = choices.agencies(organisation.id, tallies.current(db.session, *pages.today_and_window()), typed=typed,
                                 limit=choices.FOUND)
    return jsonify({"options": [{"value": str(value), "text": label} for value, label in found.pairs],
                    "more": found.more})


def _filter_words(filters) -> str:
    """What a list was filtered by, in words, for the title of its Excel file."""
    from app.models.directives import ASSIGNEE_ROLES
    from app.rules.workflow import STATUS_LABELS

    words = []
    if filters.directive:
        directive = db.session.get(Directive, filters.directive)
        words.append(f"văn bản {directive.number_symbol}" if directive else "")
    if filters.agency:
        agency = db.session.get(Agency, filters.agency)
        words.append(f"đơn vị {agency.name}" if agency else "")
    if filters.role:
        words.append(f"vai trò {ASSIGNEE_ROLES[filters.role].lower()}")
    if filters.status:
        words.append(f"trạng thái {STATUS_LABELS[filters.status].lower()}")
    if filters.timeliness:
        words.append(T.FILTER_LABELS[filters.timeliness].lower())
    if filters.deadline_from or filters.deadline_to:
        words.append("hạn " + " ".join(part for part in (
            f"từ {filters.deadline_from:%d/%m/%Y}" if filters.deadline_from else "",
            f"đến {filters.deadline_to:%d/%m/%Y}" if filters.deadline_to else "") if part))
    if filters.q:
        words.append(f"tìm “{filters.q}”")
    return "; ".join(word for word in words if word) or "tất cả nhiệm vụ"


def _excel(scope_name, organisation_id, name, title):
    """The list as Excel: at once when small; above EXCEL_JOB_ROWS rows a job, found in Tệp đã xuất."""
    from app.jobs import exports, runner

    filters = queries.parse_filters(request.args)
    today = local_today()
    within = exports.excel_within(current_user, scope_name, organisation_id)
    query = exports.excel_query(request.args, within, today)
    description = f"Lọc: {_filter_words(filters)}. Xuất lúc {format_local_datetime(utcnow())} (giờ Việt Nam)."
    count = exports.count_rows(query)
    if count > current_app.config["EXCEL_JOB_ROWS"]:
        runner.start(current_user, "excel", f"{title}: {count} nhiệm vụ",
                     {"scope": scope_name, "organisation_id": organisation_id, "args": request.args.to_dict(flat=False),
                      "name": name, "title": title, "description": description},
                     organisation_id=organisation_id, total=count)
        db.session.commit()
        flash(f"Danh sách có {count} nhiệm vụ nên được xuất dưới nền. Tệp Excel sẽ có ở đây khi xong; "
              "bạn có thể rời trang này.", "info")
        return redirect(url_for("jobs.index"))
    content = exports.excel_bytes(query, title, description)
    return send_file(BytesIO(content), as_attachment=True, max_age=0,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     download_name=f"{name}-{today:%Y-%m-%d}.xlsx")


@bp.route("/theo-doi/nhiem-vu.xlsx")
@scope.guard(allowed=permissions.can_follow)
def assignments_excel():
    organisation = pages.organisation()
    return _excel("owned", organisation.id, "nhiem-vu", f"Nhiệm vụ đã giao — {organisation.name}")


@bp.route("/nhiem-vu.xlsx")
@scope.guard(allowed=permissions.has_inbox)
def inbox_excel():
    return _excel("own", None, "nhiem-vu-cua-don-vi", f"Nhiệm vụ của đơn vị — {current_user.agency.name}")


SCORES_PER_PAGE = 50
DIRECTIVES_SHOWN = 20


@dataclass
class ListPage:
    page: int
    pages: int
    total: int

    def iter_pages(self):
        """The page numbers to link, with None for a gap: the same window as every other list's pager."""
        return Pagination.iter_pages(self)


def _page_number(arg: str) -> int:
    return min(ascii_int(request.args.get(arg, "1")) or 1, MAX_PAGE)  # an absurd page must not overflow OFFSET


@bp.route("/theo-doi")
@scope.guard(allowed=permissions.can_follow)
def dashboard():
    organisation = pages.organisation()
    today, window = pages.today_and_window()
    figures = queries.dashboard_figures(organisation.id, today, window, DIRECTIVES_SHOWN)
    sort = request.args.get("sort", "overdue")
    descending = request.args.get("dir", "desc") != "asc"
    page = _page_number("sp")
    card = queries.scorecard(figures.scores, sort, descending, SCORES_PER_PAGE, (page - 1) * SCORES_PER_PAGE)
    last_page = max(1, -(-card.agencies // SCORES_PER_PAGE))
    if page > last_page:  # past the end: the last page
        page = last_page
        card = queries.scorecard(figures.scores, sort, descending, SCORES_PER_PAGE, (page - 1) * SCORES_PER_PAGE)
    worst = figures.worst
    directives = {d.id: d for d in db.session.scalars(select(Directive).where(Directive.id.in_([i for i, _ in worst])))}
    progress = [(directives[i], kinds) for i, kinds in worst]
    last = snapshots.previous(today + timedelta(days=1), organisation.id)
    return render_template("tracking/dashboard.html", totals=card.totals, scores=card.scores,
                           score_page=ListPage(page, last_page, card.agencies),
                           directive_count=figures.directive_count, sort=sort,
                           descending=descending, progress=progress, today=today, window=window,
                           groups=queries.DASHBOARD_GROUPS, T=T, snapshot=last,
                           before=snapshots.totals(last) if last else None,
                           before_rows=snapshots.rows_for(last, [s.agency.id for s in card.scores]) if last else {},
                           **pages.org_context(organisation))


@bp.route("/theo-doi/chot-so-lieu", methods=["POST"])
@scope.guard(allowed=permissions.can_follow)
def take_snapshot():
    organisation = pages.organisation()
    back = url_for("tracking.dashboard", **{pages.ORG_ARG: organisation.id})
    raw = request.form.get("cutoff", "")
    try:
        cutoff = parse_vn_date(raw) if raw.strip() else local_today()
    except ValueError as error:
        flash(f"Ngày chốt số liệu: {error}", "danger")
        return redirect(back)
    if cutoff > local_today():
        flash("Không chốt số liệu cho một ngày trong tương lai.", "danger")
        return redirect(back)
    try:
        snapshot = snapshots.take(cutoff, current_user, current_app.config["DUE_SOON_DAYS"], organisation.id)
    except snapshots.EmptyCutoff as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(back)
    db.session.commit()
    flash(f"Đã chốt số liệu đến ngày {snapshot.cutoff:%d/%m/%Y} ({len(snapshot.rows)} đơn vị).", "success")
    return redirect(back)


@bp.route("/theo-doi/so-lieu-da-chot")
@scope.guard(allowed=permissions.can_follow)
def snapshot_list():
    """The organisation's cut-offs, newest first, each with its figures and the change since the one before."""
    organisation = pages.organisation()
    rows = snapshots.history(organisation.id)
    return render_template("tracking/snapshots.html", rows=rows, groups=queries.DASHBOARD_GROUPS,
                           **pages.org_context(organisation))
