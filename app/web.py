"""Things every page needs: template filters, navigation context, the login loader."""
import hashlib
import hmac
from pathlib import Path

from flask import g, redirect, request, url_for
from markupsafe import Markup, escape
from flask_login import current_user, login_required
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from app import numbers
from app.extensions import db, login_manager
from app.models import Agency, User
from app.models.agencies import AGENCY_KINDS
from app.models.directives import ASSIGNEE_ROLES, DOC_TYPES, URGENCIES
from app.rules import directive_states, permissions, signers, timeliness
from app.rules.workflow import STATUS_BADGES, STATUS_LABELS
from app.clock import format_local_datetime
from app.text import ascii_int, fold, format_vn_date

STATE_LABELS = directive_states.LABELS
STATE_BADGES = directive_states.BADGES
PUBLIC_ENDPOINTS = {"auth.login", "static", "bootstrap.static", "healthz",
                    # the API description and its documentation page; the API itself checks its token
                    "api-docs.openapi_json", "apidocs.page", "apidocs.static"}


MAX_PAGE = 100000


class RowPagination(SelectPagination):
    """Pagination of a SELECT of several columns (Flask-SQLAlchemy's keeps only the first)."""

    def _query_items(self):
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())

    def _query_count(self) -> int:
        known = self._query_args["total"]() if self._query_args.get("total") else None
        return super()._query_count() if known is None else known


def paginate_rows(select, per_page: int, total=None):
    """A page of rows; `total`, when given, is asked first for the number of rows (counted ahead) and
    answers None when they must be counted."""
    return RowPagination(select=select, session=db.session(), page=requested_page(), per_page=per_page,
                         max_per_page=100, error_out=False, count=True, total=total)


class CountedAheadPagination(SelectPagination):
    """A page of a list that is counted only `ahead` rows past the page's first one: the count costs the
    same whether the list holds a thousand rows or a million. `counted_all` says whether `total` is the
    whole list or only how far it was counted (the page then says "hơn …" and the pager offers the pages
    counted, with "Sau" while there are more)."""

    def _query_count(self) -> int:
        limit = self._query_offset + self._query_args["ahead"] + 1
        rows = self._query_args["select"].options(lazyload("*")).order_by(None).limit(limit).subquery()
        counted = self._query_args["session"].execute(select(func.count()).select_from(rows)).scalar()
        self.counted_all = counted < limit
        return min(counted, limit - 1)


def paginate_counted_ahead(select, per_page: int, ahead: int):
    return CountedAheadPagination(select=select, session=db.session(), page=requested_page(), per_page=per_page,
                                  max_per_page=100, error_out=False, count=True, ahead=ahead)


def _repeated_short_names() -> set[str]:
    """Short names used by more than one agency ("Sở Y tế" in every province), once per request."""
    if "repeated_short_names" not in g:
        g.repeated_short_names = set(db.session.scalars(
            select(Agency.short_name).group_by(Agency.short_name).having(func.count(Agency.id) > 1)))
    return g.repeated_short_names


def agency_label(agency) -> str:
    """The short name, with where the agency is when the name alone is ambiguous: "Sở Y tế (Kon Tum)"."""
    if agency is None:
        return ""
    if agency.short_name not in _repeated_short_names():
        return agency.short_name
    where = agency.place or (agency.parent.short_name if agency.parent else "")
    return f"{agency.short_name} ({where})" if where else agency.name


_asset_versions: dict[tuple[str, str], str] = {}


def asset_url(filename: str, blueprint: str = "static") -> str:
    """A static file's URL carrying a version (its content hash), so browsers may cache it for a year
    and still get the new file the day it changes."""
    from flask import current_app

    key = (blueprint, filename)
    if key not in _asset_versions:
        folder = current_app.static_folder if blueprint == "static" else current_app.blueprints[blueprint].static_folder
        path = Path(folder) / filename
        _asset_versions[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else "0"
    return url_for(f"{blueprint}.static" if blueprint != "static" else "static", filename=filename,
                   v=_asset_versions[key])


def requested_page() -> int:
    """The ?page= number, clamped: junk or huge values give a valid page, never a database error."""
    page = ascii_int(request.args.get("page", "1"))
    return min(page, MAX_PAGE) if page and page > 0 else 1


@login_manager.user_loader
def load_user(session_id):
    """The user of a session or remember cookie ("id:token"), if the token is still theirs."""
    user_id, _, token = str(session_id).partition(":")
    user_id = ascii_int(user_id)
    if user_id is None or not token:
        return None
    # the navigation bar shows the user's agency on every page: load it with the user
    user = db.session.get(User, user_id, options=[joinedload(User.agency), selectinload(User.role_rows)])
    if user is None or not hmac.compare_digest(user.session_token or "", token):
        return None
    return user


def select_options(choices, selected=None) -> Markup:
    """The <option>s of a long list (a province's agencies, its directives) in one join: a template
    loop costs about ten times as much per option, and these lists hold thousands."""
    chosen = None if selected in (None, "") else str(selected)
    return Markup("".join(
        f'<option value="{escape(value)}"{" selected" if str(value) == chosen else ""}>{escape(label)}</option>'
        for value, label in choices))


def register(app):
    app.jinja_env.filters["vndate"] = format_vn_date
    app.jinja_env.filters["vndatetime"] = format_local_datetime
    app.jinja_env.filters["by_agency"] = lambda rows: sorted(
        rows, key=lambda a: (a.role != "lead", fold(a.agency.short_name)))
    app.jinja_env.filters["agency_label"] = agency_label
    app.jinja_env.filters["number"] = numbers.number
    app.jinja_env.filters["percent"] = numbers.percent
    app.jinja_env.filters["signed"] = numbers.signed
    app.jinja_env.filters["filesize"] = numbers.filesize

    # Globals (not a context processor) so that imported macros see them too.
    app.jinja_env.globals.update(
        {
            "perm": permissions,
            "STATE_LABELS": STATE_LABELS,
            "STATE_BADGES": STATE_BADGES,
            "STATUS_LABELS": STATUS_LABELS,
            "STATUS_BADGES": STATUS_BADGES,
            "ROLE_NAMES": ASSIGNEE_ROLES,
            "DOC_TYPES": DOC_TYPES,
            "URGENCIES": URGENCIES,
            "AGENCY_KINDS": AGENCY_KINDS,
            "TIMELINESS_LABELS": timeliness.LABELS,
            "TIMELINESS_FILTERS": timeliness.FILTER_LABELS,
            "TIMELINESS_BADGES": timeliness.BADGES,
            "asset_url": asset_url,
            "select_options": select_options,
            "signature_lines": signers.signature_lines,
            "SEARCH_KINDS": {"directive": "Văn bản", "task": "Nhiệm vụ", "report": "Báo cáo"},
        }
    )

    @app.context_processor
    def counters():
        """The numbers in the navigation bar: unread notifications, extension requests waiting."""
        if not current_user.is_authenticated:
            return {}
        from app.tracking.notifications import unread_count
        from app.tracking.service import pending_extensions_count

        from app.directives.queries import waiting_for

        waiting = pending_extensions_count(current_user) if permissions.can_follow(current_user) else 0
        drafts = db.session.scalar(select(func.count()).select_from(waiting_for(current_user).subquery())) \
            if permissions.has_approval_queue(current_user) else 0
        return {"unread_notifications": unread_count(current_user), "pending_extensions": waiting,
                "waiting_drafts": drafts}

    @app.before_request
    def require_login():
        """Every page needs a login except the login page and static files."""
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None or request.blueprint == "api":
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    @app.route("/")
    @login_required
    def home():
        return redirect(url_for(permissions.home_endpoint(current_user)))

    @app.after_request
    def cache_versioned_assets(response):
        """A file asked for with its version never changes under that name: cache it for a year."""
        if request.endpoint in ("static", "bootstrap.static", "apidocs.static") and request.args.get("v") and response.status_code == 200:
            response.cache_control.max_age = 31536000
            response.cache_control.public = True
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response
