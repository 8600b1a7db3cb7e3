"""E-mail: who receives what, composed in Vietnamese (UTF-8 subjects and bodies, links built from
BASE_URL) and sent through the queue with smtplib, so a slow or absent mail server never holds up a
page. No MAIL_SERVER: nothing is sent.

A user chooses the kinds of mail (MAIL_KINDS) and whether they come one by one or in one daily digest.
Single mails follow the in-app notifications (app/tracking/notifications.notify): the same events,
queued after the commit that created them. Due-soon and overdue mails, and the digests, are sent by
the morning job (app/jobs/schedule.py)."""
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
from app.models import Notification, User
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
}
DEFAULT_KINDS = ",".join(MAIL_KINDS)
MAIL_KIND_OF = {notification: mail for mail, (_label, covered) in MAIL_KINDS.items() for notification in covered}
SUBJECT_PREFIX = "[Theo dõi chỉ đạo]"
LISTED = 30  # assignments listed in one mail; the link shows them all


def wants(user: User, mail_kind: str) -> bool:
    return bool(user.email) and user.active and mail_kind in user.mail_kind_set


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


def _listed(rows, today: date) -> list[str]:
    lines = []
    for assignment, task, _section, directive, agency, _timeliness, _note in rows[:LISTED]:
        due = f"hạn {assignment.deadline:%d/%m/%Y}" if assignment.deadline else "không có hạn"
        late = (today - assignment.deadline).days if assignment.deadline and assignment.deadline < today else 0
        lines.append(f"- {task.text[:200]} ({agency.short_name}; {directive.number_symbol}; {due}"
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


def digest_mails(today: date) -> tuple[list[EmailMessage], list[User]]:
    """Each morning, for those who chose the digest: what they were told since the last digest (the
    kinds they chose), and their due-soon and overdue tasks. Nobody gets an empty digest."""
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
    messages = deadline_mails(today)
    digests, digested = digest_mails(today)
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
