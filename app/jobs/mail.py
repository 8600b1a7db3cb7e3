"""E-mail: who receives what, composed in Vietnamese (UTF-8 subjects and bodies, links built from
BASE_URL) and sent through the queue with smtplib, so a slow or absent mail server never holds up a
page. No MAIL_SERVER: nothing is sent.

A user chooses the kinds of mail (MAIL_KINDS) and whether they come one by one or in one daily digest.
Single mails follow the in-app notifications (app/tracking/notifications.notify): the same events,
queued after the commit that created them. Due-soon and overdue mails, and the digests, are sent by
the morning job (app/jobs/schedule.py): a user's own tasks (scope.own_assignments) and, for those who
follow directives (permissions.can_follow), the follow-up mail: what the agencies doing the work of
their organisations' directives have overdue or due soon, agency by agency, within the organisations
whose office list the web shows them (scope.followed_organisations)."""
import logging
import smtplib
import ssl
from datetime import date, timedelta
from email.header import Header
from email.message import Message as EmailMessage
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from urllib.parse import urlsplit

from flask import current_app, url_for
from sqlalchemy import select

from app import jobs, scope
from app.clock import format_local_datetime, utc_at, utcnow
from app.extensions import db
from app.models import Agency, Notification, User
from app.rules import permissions
from app.rules import timeliness as T

log = logging.getLogger(__name__)

# kind of mail -> (label on the settings page, notification kinds it covers)
MAIL_KINDS = {
    "new": ("Nhiệm vụ mới được giao cho đơn vị", {"new"}),
    "returned": ("Kết quả báo cáo bị trả lại", {"return"}),
    "submitted": ("Kết quả chờ xác nhận (đơn vị báo cáo hoàn thành)", {"submitted"}),
    "extension": ("Quyết định về đề nghị gia hạn", {"extension_decided"}),
    "due_soon": ("Nhiệm vụ sắp đến hạn (mỗi sáng)", set()),
    "overdue": ("Nhiệm vụ quá hạn (mỗi sáng)", set()),
    "following": ("Nhiệm vụ quá hạn, sắp đến hạn của các đơn vị thực hiện văn bản cơ quan theo dõi "
                  "(mỗi sáng, theo từng đơn vị)", set()),
}
FOLLOWING = "following"
DEFAULT_KINDS = ",".join(MAIL_KINDS)
MAIL_KIND_OF = {notification: mail for mail, (_label, covered) in MAIL_KINDS.items() for notification in covered}
SUBJECT_PREFIX = "[Theo dõi chỉ đạo]"
LISTED = 30  # assignments listed in one mail; the link shows them all
FOLLOWED_AGENCIES = 30  # agencies detailed in one follow-up mail; the others are summed in one line
FOLLOWED_ITEMS = 3  # assignments shown per agency and kind; the agency's link shows them all


def wants(user: User, mail_kind: str) -> bool:
    return bool(user.email) and user.active and mail_kind in user.mail_kind_set


def offered(user: User) -> list[tuple[str, str]]:
    """The kinds the settings page offers the user: the follow-up mail only to those who follow."""
    return [(key, label) for key, (label, _covered) in MAIL_KINDS.items()
            if key != FOLLOWING or permissions.can_follow(user)]


def mailing_enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


# --- composing ------------------------------------------------------------------------------------

def link(endpoint: str, **values) -> str:
    """An absolute link to a page, from BASE_URL (a job has no request to take the host from)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    parts = urlsplit(base)
    with current_app.test_request_context("/", base_url=f"{parts.scheme}://{parts.netloc}{parts.path}"):
        return url_for(endpoint, _external=True, **values)


def _address(name_and_address: tuple[str, str]) -> str:
    return formataddr(name_and_address, charset="utf-8")  # a Vietnamese name travels encoded


def compose(user: User, subject: str, paragraphs: list[str]) -> EmailMessage:
    """A plain-text mail in UTF-8. The subject is encoded by email.header.Header: the newer
    EmailMessage folds long Vietnamese subjects into encoded words and loses the space at each fold
    ("quá hạn" arrives as "quáhạn")."""
    settings = link("auth.mail_settings")
    body = [f"Kính gửi {user.full_name},", "", *paragraphs, "",
            "--", "Thư tự động của hệ thống Theo dõi chỉ đạo; vui lòng không trả lời thư này.",
            f"Chọn loại thư nhận hoặc nhận thư tổng hợp hằng ngày: {settings}"]
    message = MIMEText("\n".join(body), "plain", "utf-8")
    message["Subject"] = Header(f"{SUBJECT_PREFIX} {subject}"[:250], "utf-8")
    message["From"] = _address(parseaddr(current_app.config["MAIL_DEFAULT_SENDER"]))
    message["To"] = _address((user.full_name, user.email))
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=urlsplit(current_app.config["BASE_URL"]).hostname or "localhost")
    message.recipient = user.email
    return message


def notification_link(notification: Notification) -> str:
    if notification.assignment_id:
        return link("tracking.assignment", assignment_id=notification.assignment_id)
    if notification.directive_id:
        return link("tracking.inbox", directive=notification.directive_id)
    return link("tracking.notifications_page")


def notification_mail(notification: Notification, user: User) -> EmailMessage:
    return compose(user, notification.message[:160],
                   [notification.message, "", f"Xem chi tiết: {notification_link(notification)}"])


# --- sending --------------------------------------------------------------------------------------

def send(messages: list[EmailMessage]) -> int:
    """Send over one SMTP connection; an error raises (the task is retried once)."""
    if not messages or not mailing_enabled():
        return 0
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        for message in messages:
            smtp.send_message(message)
    return len(messages)


@jobs.task(retries=1, retry_delay=30)
def send_notification_mails(notification_ids: list[int]) -> int:
    """One mail per notification, to those who want this kind one by one."""
    rows = db.session.execute(select(Notification, User).join(User, Notification.user_id == User.id)
                              .where(Notification.id.in_(notification_ids)).order_by(Notification.id)).all()
    messages = [notification_mail(notification, user) for notification, user in rows
                if not user.mail_digest and wants(user, MAIL_KIND_OF.get(notification.kind, ""))]
    return send(messages)


def queue_for(notifications: list[Notification], users: dict[int, User]) -> None:
    """Called by notify(): queue, after the commit, the single mails these notifications call for."""
    if not mailing_enabled():
        return
    wanted = [n for n in notifications if (user := users.get(n.user_id)) is not None and not user.mail_digest
              and wants(user, MAIL_KIND_OF.get(n.kind, ""))]
    if wanted:
        db.session.flush()
        jobs.after_commit(send_notification_mails, [n.id for n in wanted])


# --- the morning: due soon, overdue, digests ------------------------------------------------------

def deadline_rows(user: User, kind: str, today: date):
    from app.tracking import queries

    if not permissions.has_inbox(user):
        return []
    query = queries.assignment_rows(queries.Filters(timeliness=kind), today, current_app.config["DUE_SOON_DAYS"],
                                    scope.own_assignments(user))
    return db.session.execute(query.limit(LISTED + 1)).all()


def _listed(rows, today: date, show_agency: bool = True) -> list[str]:
    lines = []
    for assignment, task, _section, directive, agency, _timeliness, _note in rows[:LISTED]:
        due = f"hạn {assignment.deadline:%d/%m/%Y}" if assignment.deadline else "không có hạn"
        late = (today - assignment.deadline).days if assignment.deadline and assignment.deadline < today else 0
        where = f"{agency.short_name}; " if show_agency else ""
        lines.append(f"- {task.text[:200]} ({where}{directive.number_symbol}; {due}"
                     + (f", quá {late} ngày" if late else "") + ")")
        lines.append(f"  {link('tracking.assignment', assignment_id=assignment.id)}")
    if len(rows) > LISTED:
        lines.append("- … và các nhiệm vụ khác.")
    return lines


DEADLINE_TEXT = {
    T.DUE_SOON: ("Nhiệm vụ sắp đến hạn", "Các nhiệm vụ của đơn vị sẽ đến hạn trong {days} ngày tới:"),
    T.OVERDUE: ("Nhiệm vụ quá hạn", "Các nhiệm vụ của đơn vị đã quá hạn mà chưa hoàn thành:"),
}
DEADLINE_MAIL_KIND = {T.DUE_SOON: "due_soon", T.OVERDUE: "overdue"}


def _deadline_section(user: User, kind: str, today: date) -> tuple[int, list[str]]:
    rows = deadline_rows(user, kind, today)
    if not rows:
        return 0, []
    title, lead = DEADLINE_TEXT[kind]
    count = f"{len(rows)}" if len(rows) <= LISTED else f"hơn {LISTED}"
    lines = [f"{title.upper()} ({count})", lead.format(days=current_app.config["DUE_SOON_DAYS"]),
             *_listed(rows, today), f"Danh sách đầy đủ: {link('tracking.inbox', timeliness=kind)}"]
    return len(rows), lines


# --- the morning: what the office follows -----------------------------------------------------------

def _follow_link(organisation_id: int, endpoint: str = "tracking.assignments", **filters) -> str:
    """The office list (or dashboard) of one organisation, as its `?co-quan=` chooser opens it."""
    from app.tracking.pages import ORG_ARG

    return link(endpoint, **{ORG_ARG: organisation_id}, **filters)


def organisation_section(organisation_id: int, today: date) -> tuple[int, int, list[str]]:
    """(overdue, due soon, lines) of one organisation's directives, grouped by agency: how many each
    agency has, its first FOLLOWED_ITEMS of each kind (the first rows of the office list the link
    opens) and that link. Bounded whatever the number of assignments: one grouped count from the
    dashboard's tallies, then LIMITed lists for at most FOLLOWED_AGENCIES agencies."""
    from app.tracking import queries

    window = current_app.config["DUE_SOON_DAYS"]
    groups = queries.late_and_due_by_agency(organisation_id, today, window)
    if not groups:
        return 0, 0, []
    organisation = db.session.get(Agency, organisation_id)
    overdue, due_soon = sum(g[1] for g in groups), sum(g[2] for g in groups)
    lines = [f"VĂN BẢN CỦA {organisation.name.upper()}: {overdue} nhiệm vụ quá hạn, {due_soon} nhiệm vụ sắp đến hạn "
             f"trong {window} ngày tới, tại {len(groups)} đơn vị", ""]
    for agency, late, soon in groups[:FOLLOWED_AGENCIES]:
        lines.append(f"{agency.name}: {late} quá hạn, {soon} sắp đến hạn")
        for kind, count in ((T.OVERDUE, late), (T.DUE_SOON, soon)):
            if not count:
                continue
            rows = db.session.execute(queries.assignment_rows(
                queries.Filters(agency=agency.id, timeliness=kind), today, window,
                queries.owned_by(organisation_id)).limit(FOLLOWED_ITEMS)).all()
            lines.append(f"  {T.LABELS[kind]} ({count}):")
            lines += ["  " + line for line in _listed(rows, today, show_agency=False)]
            if count > len(rows):
                lines.append(f"  … xem đủ {count} nhiệm vụ {T.LABELS[kind].lower()}: "
                             f"{_follow_link(organisation_id, agency=agency.id, timeliness=kind)}")
            else:
                lines.append(f"  Danh sách: {_follow_link(organisation_id, agency=agency.id, timeliness=kind)}")
        lines.append("")
    rest = groups[FOLLOWED_AGENCIES:]
    if rest:
        lines += [f"… và {len(rest)} đơn vị khác: {sum(g[1] for g in rest)} quá hạn, "
                  f"{sum(g[2] for g in rest)} sắp đến hạn.", ""]
    lines += [f"Tất cả nhiệm vụ quá hạn: {_follow_link(organisation_id, timeliness=T.OVERDUE)}",
              f"Tất cả nhiệm vụ sắp đến hạn: {_follow_link(organisation_id, timeliness=T.DUE_SOON)}",
              f"Bảng theo dõi: {_follow_link(organisation_id, 'tracking.dashboard')}"]
    return overdue, due_soon, lines


def following_section(user: User, today: date, sections: dict | None = None) -> tuple[int, int, list[str]]:
    """(overdue, due soon, lines) of the directives the user follows up: exactly the organisations whose
    dashboard and office list the web shows them (scope.followed_organisations), each in its own part.
    `sections` keeps each organisation's part for the other followers of the same morning."""
    if not permissions.can_follow(user):
        return 0, 0, []
    sections = {} if sections is None else sections
    overdue = due_soon = 0
    lines: list[str] = []
    for organisation_id in scope.followed_organisations(user):
        if organisation_id not in sections:
            sections[organisation_id] = organisation_section(organisation_id, today)
        late, soon, part = sections[organisation_id]
        if part:
            overdue, due_soon = overdue + late, due_soon + soon
            lines += ([""] if lines else []) + part
    return overdue, due_soon, lines


FOLLOWING_TITLE = "Theo dõi đơn vị thực hiện"
FOLLOWING_LEAD = ("Các nhiệm vụ đã quá hạn và sắp đến hạn của các văn bản cơ quan theo dõi, theo từng đơn vị "
                  "thực hiện (đến ngày {today:%d/%m/%Y}):")


def following_mails(today: date, sections: dict | None = None) -> list[EmailMessage]:
    """Each morning: one mail to each follower who wants it one by one, when something is late or due."""
    messages = []
    users = db.session.scalars(select(User).where(User.active.is_(True), User.email.is_not(None),
                                                  User.mail_digest.is_(False)).order_by(User.id)).all()
    for user in users:
        if not wants(user, FOLLOWING):
            continue
        overdue, due_soon, lines = following_section(user, today, sections)
        if lines:
            messages.append(compose(user, f"{FOLLOWING_TITLE}: {overdue} nhiệm vụ quá hạn, {due_soon} sắp đến hạn "
                                          f"(ngày {today:%d/%m/%Y})",
                                    [FOLLOWING_LEAD.format(today=today), "", *lines]))
    return messages


def deadline_mails(today: date) -> list[EmailMessage]:
    """Each morning: one mail per kind (sắp đến hạn, quá hạn) to each user who wants it one by one."""
    messages = []
    users = db.session.scalars(select(User).where(User.active.is_(True), User.email.is_not(None),
                                                  User.mail_digest.is_(False)).order_by(User.id)).all()
    for user in users:
        for kind in (T.OVERDUE, T.DUE_SOON):
            if not wants(user, DEADLINE_MAIL_KIND[kind]):
                continue
            count, lines = _deadline_section(user, kind, today)
            if count:
                title = DEADLINE_TEXT[kind][0]
                messages.append(compose(user, f"{title}: {count if count <= LISTED else f'hơn {LISTED}'} nhiệm vụ "
                                              f"(ngày {today:%d/%m/%Y})", lines))
    return messages


def digest_mails(today: date, sections: dict | None = None) -> tuple[list[EmailMessage], list[User]]:
    """Each morning, for those who chose the digest: what they were told since the last digest (the
    kinds they chose), their due-soon and overdue tasks, and what the agencies doing the work of the
    directives they follow have late or due. Nobody gets an empty digest."""
    messages, users_done = [], []
    users = db.session.scalars(select(User).where(User.active.is_(True), User.email.is_not(None),
                                                  User.mail_digest.is_(True)).order_by(User.id)).all()
    for user in users:
        since = user.digest_sent_at or utc_at(today - timedelta(days=1))
        covered = {n for mail in user.mail_kind_set for n in MAIL_KINDS.get(mail, ("", set()))[1]}
        items = db.session.scalars(select(Notification).where(
            Notification.user_id == user.id, Notification.created_at >= since,
            Notification.kind.in_(sorted(covered)) if covered else Notification.id.is_(None))
            .order_by(Notification.id)).all() if covered else []
        lines, total = [], 0
        if items:
            total += len(items)
            lines += [f"THÔNG BÁO MỚI ({len(items)})"]
            for item in items:
                lines += [f"- {format_local_datetime(item.created_at)}: {item.message}", f"  {notification_link(item)}"]
            lines.append("")
        for kind in (T.OVERDUE, T.DUE_SOON):
            if wants(user, DEADLINE_MAIL_KIND[kind]):
                count, section = _deadline_section(user, kind, today)
                if count:
                    total += count
                    lines += section + [""]
        if wants(user, FOLLOWING):
            overdue, due_soon, section = following_section(user, today, sections)
            if section:
                total += overdue + due_soon
                lines += [f"{FOLLOWING_TITLE.upper()} ({overdue} quá hạn, {due_soon} sắp đến hạn)",
                          FOLLOWING_LEAD.format(today=today), "", *section, ""]
        users_done.append(user)
        if total:
            messages.append(compose(user, f"Tổng hợp ngày {today:%d/%m/%Y}", lines))
    return messages, users_done


@jobs.task(retries=1, retry_delay=60)
def deliver(messages: list[EmailMessage]) -> int:
    """Send composed mails (one user's morning mails): a failure retries this user's mails only."""
    return send(messages)


def send_morning(today: date) -> int:
    """The morning's mails, queued one task per recipient. The digest's "since" moves on in the same
    commit; the mails are queued after it."""
    if not mailing_enabled():
        return 0
    sections: dict = {}  # each followed organisation's part, counted once for all its followers
    messages = deadline_mails(today) + following_mails(today, sections)
    digests, digested = digest_mails(today, sections)
    now = utcnow()
    for user in digested:
        user.digest_sent_at = now
    by_recipient: dict[str, list[EmailMessage]] = {}
    for message in messages + digests:
        by_recipient.setdefault(message.recipient, []).append(message)
    for batch in by_recipient.values():
        jobs.after_commit(deliver, batch)
    db.session.commit()
    return len(messages) + len(digests)
