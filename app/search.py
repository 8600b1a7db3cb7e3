"""Full-text search of directives, tasks and progress reports, behind one function: `search()`.

What is indexed is only what a search is about: a directive's number and symbol, its subject and its
issuing agency; a task's text and the agencies that carry it out; a progress report's note and its
agency. Not the whole letter: "Sở Y tế" finds the tasks given to Sở Y tế and those that name it,
not every task of every letter whose Kính gửi lists it.

Text is folded in Python (app/text.fold: accents and case dropped, "đ" → "d") and split into plain
tokens, so both databases index the same words without any extension (unaccent may be missing):
- PostgreSQL: a generated tsvector column (weights: code A, text B, agencies C) with a GIN index;
  ts_rank orders the results;
- SQLite: an FTS5 table over the same columns, kept by triggers; bm25 orders the results.

The index is written by the transaction that changes the data: a session hook notes which directives
and reports a flush touched and rewrites their rows in the same transaction (after the flush, with
plain SQL). `rebuild()` rewrites everything (the migration and `flask search rebuild`).
"""
import re
from dataclasses import dataclass, field
from itertools import chain

from markupsafe import Markup, escape
from sqlalchemy import DDL, bindparam, column, delete, event, exists, func, insert, inspect, literal, \
    literal_column, or_, select, table
from sqlalchemy.orm import Session

from app.text import fold

MAX_TERMS = 12
SNIPPET = 160

# ---- the index: created with the table (create_all in tests, migration 0008b in a deployment) -----

PG_DDL = [
    "ALTER TABLE search_entries ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(code, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(title, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(agencies, '')), 'C')) STORED",
    "CREATE INDEX ix_search_entries_tsv ON search_entries USING gin (tsv)",
]
SQLITE_DDL = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(code, title, agencies, content='search_entries', "
    "content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts(rowid, code, title, agencies) VALUES (new.id, new.code, new.title, new.agencies); END",
    "CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, code, title, agencies) "
    "VALUES ('delete', old.id, old.code, old.title, old.agencies); END",
    "CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, code, title, agencies) "
    "VALUES ('delete', old.id, old.code, old.title, old.agencies); "
    "INSERT INTO search_fts(rowid, code, title, agencies) VALUES (new.id, new.code, new.title, new.agencies); END",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS search_entries_au", "DROP TRIGGER IF EXISTS search_entries_ad",
               "DROP TRIGGER IF EXISTS search_entries_ai", "DROP TABLE IF EXISTS search_fts"]
# what the models do not describe, for Alembic's comparison
OUTSIDE_MODELS = {"search_fts", "search_fts_data", "search_fts_idx", "search_fts_docsize", "search_fts_config",
                  "search_fts_content", "tsv", "ix_search_entries_tsv"}


def create_index(connection) -> None:
    """The dialect's index over search_entries (the table must exist)."""
    statements = PG_DDL if connection.dialect.name == "postgresql" else SQLITE_DDL
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop_index(connection) -> None:
    if connection.dialect.name != "postgresql":  # PostgreSQL's column and index go with the table
        for statement in SQLITE_DROP:
            connection.exec_driver_sql(statement)


def include_object(obj, name, type_, reflected, compare_to):
    """Alembic: the FTS tables, the tsvector column and its index are not in the models."""
    return name not in OUTSIDE_MODELS


# ---- tokens -----------------------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9]+")
_WORD = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """Folded plain tokens: "Sở Y tế" → ["so", "y", "te"], "01/UBND-NNTN" → ["01", "ubnd", "nntn"]."""
    return _TOKEN.findall(fold(text or ""))


def _joined(*texts) -> str:
    return " ".join(chain.from_iterable(tokens(text) for text in texts if text))


def terms(q: str) -> list[str]:
    seen = []
    for token in tokens(q):
        if token not in seen:
            seen.append(token)
    return seen[:MAX_TERMS]


def is_prefix(words: list[str], index: int) -> bool:
    """Words match whole ("so" is not "son"), but the last one may be unfinished ("giai ng" finds
    "giải ngân") once it has three letters; numbers always match whole ("01" is not "010")."""
    word = words[index]
    return index == len(words) - 1 and len(word) >= 3 and not word.isdigit()


# ---- writing the index (Core SQL, so the migration can run it on its own schema) --------------

entries = table("search_entries", column("id"), column("kind"), column("record_id"), column("directive_id"),
                column("assignment_id"), column("code_text"), column("title_text"), column("agency_text"),
                column("code"), column("title"), column("agencies"))
_directives = table("directives", column("id"), column("number"), column("symbol"), column("subject"),
                    column("issuer_text"), column("issuer_agency_id"), column("owner_agency_id"))
_sections = table("sections", column("id"), column("directive_id"), column("removed"))
_tasks = table("tasks", column("id"), column("section_id"), column("text"), column("removed"))
_assignments = table("assignments", column("id"), column("task_id"), column("agency_id"), column("active"))
_agencies = table("agencies", column("id"), column("name"), column("short_name"))
_groups = table("agency_groups", column("id"), column("name"))
_section_assignees = table("section_assignees", column("section_id"), column("agency_id"), column("group_id"))
_reports = table("progress_reports", column("id"), column("assignment_id"), column("note"))


def _names(*names) -> str:
    out = []
    for name in names:
        if name and name not in out:
            out.append(name)
    return "; ".join(out)


def _row(kind, record_id, directive_id, code_text, title_text, agency_text, assignment_id=None) -> dict:
    return {"kind": kind, "record_id": record_id, "directive_id": directive_id, "assignment_id": assignment_id,
            "code_text": (code_text or "")[:100], "title_text": title_text or "", "agency_text": agency_text or "",
            "code": _joined(code_text), "title": _joined(title_text), "agencies": _joined(agency_text)}


def _chunks(ids, size=500):
    ids = sorted(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def reindex_directives(connection, directive_ids) -> None:
    """Rewrite the rows of these directives and of their live tasks (reports keep theirs)."""
    for chunk in _chunks(set(directive_ids)):
        connection.execute(delete(entries).where(entries.c.directive_id.in_(chunk),
                                                 entries.c.kind.in_(("directive", "task"))))
        issuer, owner = _agencies.alias("issuer"), _agencies.alias("owner")
        rows = []
        for d in connection.execute(
                select(_directives.c.id, _directives.c.number, _directives.c.symbol, _directives.c.subject,
                       _directives.c.issuer_text, issuer.c.name, issuer.c.short_name, owner.c.name)
                .select_from(_directives.outerjoin(issuer, issuer.c.id == _directives.c.issuer_agency_id)
                             .outerjoin(owner, owner.c.id == _directives.c.owner_agency_id))
                .where(_directives.c.id.in_(chunk))):
            code = f"{d.number or ''}/{d.symbol}" if d.symbol else (d.number or "")
            header = " ".join((d.issuer_text or "").split("\n")) if not d.name else ""
            rows.append(_row("directive", d.id, d.id, code, d.subject, _names(d[5], d[6], d[7], header)))
        live_tasks = connection.execute(
            select(_tasks.c.id, _tasks.c.text, _tasks.c.section_id, _sections.c.directive_id)
            .select_from(_tasks.join(_sections, _sections.c.id == _tasks.c.section_id))
            .where(_sections.c.directive_id.in_(chunk), _tasks.c.removed.is_(False),
                   _sections.c.removed.is_(False))).all()
        agencies_of: dict[int, list[str]] = {}
        for task_id, name, short in connection.execute(
                select(_assignments.c.task_id, _agencies.c.name, _agencies.c.short_name)
                .select_from(_assignments.join(_agencies, _agencies.c.id == _assignments.c.agency_id)
                             .join(_tasks, _tasks.c.id == _assignments.c.task_id)
                             .join(_sections, _sections.c.id == _tasks.c.section_id))
                .where(_sections.c.directive_id.in_(chunk), _assignments.c.active.is_(True))
                .order_by(_assignments.c.id)):
            agencies_of.setdefault(task_id, []).extend((name, short))
        named: dict[int, list[str]] = {}  # groups and agencies printed at the head of a section
        for section_id, agency, group in connection.execute(
                select(_section_assignees.c.section_id, _agencies.c.name, _groups.c.name)
                .select_from(_section_assignees.join(_sections, _sections.c.id == _section_assignees.c.section_id)
                             .outerjoin(_agencies, _agencies.c.id == _section_assignees.c.agency_id)
                             .outerjoin(_groups, _groups.c.id == _section_assignees.c.group_id))
                .where(_sections.c.directive_id.in_(chunk))):
            named.setdefault(section_id, []).append(agency or group)
        for task in live_tasks:
            rows.append(_row("task", task.id, task.directive_id, "", task.text,
                             _names(*named.get(task.section_id, []), *agencies_of.get(task.id, []))))
        if rows:
            connection.execute(insert(entries), rows)


def index_reports(connection, report_ids) -> None:
    """Add the rows of these progress reports (a report is never edited; an empty note is not indexed)."""
    for chunk in _chunks(set(report_ids)):
        connection.execute(delete(entries).where(entries.c.kind == "report", entries.c.record_id.in_(chunk)))
        rows = [_row("report", r.id, r.directive_id, "", r.note, _names(r.name, r.short_name), r.assignment_id)
                for r in connection.execute(
                    select(_reports.c.id, _reports.c.note, _reports.c.assignment_id, _sections.c.directive_id,
                           _agencies.c.name, _agencies.c.short_name)
                    .select_from(_reports.join(_assignments, _assignments.c.id == _reports.c.assignment_id)
                                 .join(_agencies, _agencies.c.id == _assignments.c.agency_id)
                                 .join(_tasks, _tasks.c.id == _assignments.c.task_id)
                                 .join(_sections, _sections.c.id == _tasks.c.section_id))
                    .where(_reports.c.id.in_(chunk)))
                if (r.note or "").strip()]
        if rows:
            connection.execute(insert(entries), rows)


def rebuild(connection) -> int:
    """Rewrite the whole index; return the number of rows.

    On PostgreSQL each statement is planned for its own chunk of ids: psycopg prepares a statement from its
    5th execution and PostgreSQL would then keep the generic plan of the per-chunk DELETE, made while
    search_entries was nearly empty (a sequential scan), so every later chunk would scan the whole table
    (at 100k: 97 s of 136 s)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
    connection.execute(delete(entries))
    reindex_directives(connection, [i for (i,) in connection.execute(select(_directives.c.id))])
    index_reports(connection, [i for (i,) in connection.execute(select(_reports.c.id))])
    return connection.execute(select(func.count()).select_from(entries)).scalar()


# ---- keeping it right: the flush that changes the data writes the index -------------------------

def _note_changes(session, flush_context, instances):
    from app.models import Agency, Assignment, Directive, ProgressReport, Section, SectionAssignee, Task

    pending = session.info.setdefault("search_pending", {"directives": set(), "reports": [], "agencies": set()})
    for obj in chain(session.new, session.dirty, session.deleted):
        directive = None
        if isinstance(obj, Directive):
            directive = obj
        elif isinstance(obj, Section):
            directive = obj.directive
        elif isinstance(obj, (Task, SectionAssignee)):
            directive = obj.section.directive if obj.section is not None else None
        elif isinstance(obj, Assignment):
            state = inspect(obj)
            if obj in session.new or obj in session.deleted or state.attrs.agency_id.history.has_changes() \
                    or state.attrs.active.history.has_changes():
                directive = obj.task.section.directive if obj.task is not None and obj.task.section else None
        elif isinstance(obj, ProgressReport) and obj in session.new:
            pending["reports"].append(obj)
        elif isinstance(obj, Agency) and obj not in session.new:
            state = inspect(obj)
            if state.attrs.name.history.has_changes() or state.attrs.short_name.history.has_changes():
                pending["agencies"].add(obj.id)
        if directive is not None:
            pending["directives"].add(directive)


def _write_index(session, flush_context):
    pending = session.info.pop("search_pending", None)
    if not pending or not (pending["directives"] or pending["reports"] or pending["agencies"]):
        return
    connection = session.connection()
    ids = {d.id for d in pending["directives"] if d.id is not None and not inspect(d).was_deleted}
    gone = {d.id for d in pending["directives"] if d.id is not None and inspect(d).was_deleted}
    if gone:
        connection.execute(delete(entries).where(entries.c.directive_id.in_(sorted(gone))))
    if pending["agencies"]:
        agency_ids = sorted(pending["agencies"])
        ids |= {i for (i,) in connection.execute(select(_directives.c.id).where(or_(
            _directives.c.issuer_agency_id.in_(agency_ids), _directives.c.owner_agency_id.in_(agency_ids))))}
        ids |= {i for (i,) in connection.execute(
            select(_sections.c.directive_id).distinct()
            .select_from(_assignments.join(_tasks, _tasks.c.id == _assignments.c.task_id)
                         .join(_sections, _sections.c.id == _tasks.c.section_id))
            .where(_assignments.c.agency_id.in_(agency_ids)))}
    if ids:
        reindex_directives(connection, ids)
    reports = {r.id for r in pending["reports"] if r.id is not None and not inspect(r).was_deleted}
    if reports:
        index_reports(connection, reports)


def _forget(session, *args):
    session.info.pop("search_pending", None)


def init_app(app) -> None:
    """Listen to every session's flushes, and create the index with the table (once per process)."""
    if event.contains(Session, "before_flush", _note_changes):
        return
    event.listen(Session, "before_flush", _note_changes)
    event.listen(Session, "after_flush_postexec", _write_index)
    event.listen(Session, "after_rollback", _forget)
    from app.models import SearchEntry

    target = SearchEntry.__table__
    for statement in PG_DDL:
        event.listen(target, "after_create", DDL(statement).execute_if(dialect="postgresql"))
    for statement in SQLITE_DDL:
        event.listen(target, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    for statement in SQLITE_DROP:
        event.listen(target, "before_drop", DDL(statement).execute_if(dialect="sqlite"))


# ---- searching ----------------------------------------------------------------------------------

@dataclass
class Hit:
    kind: str
    id: int
    directive_id: int
    assignment_id: int | None
    rank: float
    field: str
    title: str
    snippet: Markup


@dataclass
class DirectiveMatch:
    rank: float = 0.0
    matches: list = field(default_factory=list)


def _match_query(session, words: list[str], agency_only: bool, ranked: bool = True, only: str | None = None):
    """SELECT of the matching entries with their rank (bigger is better), for the session's database.
    `only` limits the match to one column ("title", "agencies"); `agency_only` is only="agencies"."""
    from app.models import SearchEntry as E

    columns = (E.id, E.kind, E.record_id, E.directive_id, E.assignment_id, E.code_text, E.title_text, E.agency_text,
               E.code, E.title, E.agencies) if ranked else (E.id,)
    only = "agencies" if agency_only else only
    if session.get_bind().dialect.name == "postgresql":
        weight = {"agencies": "C", "title": "B", "code": "A"}.get(only, "")
        expression = " & ".join(f"{w}:*{weight}" if is_prefix(words, i) else f"{w}:{weight}"
                                for i, w in enumerate(words))
        query = func.to_tsquery(literal_column("'simple'::regconfig"), bindparam("tsq", expression))
        vector = literal_column("search_entries.tsv")
        rank = (func.ts_rank(vector, query).label("rank"),) if ranked else ()
        return select(*columns, *rank).where(vector.op("@@")(query))
    prefix = f"{only} : " if only else ""
    expression = " AND ".join(f'{prefix}"{w}"' + ("*" if is_prefix(words, i) else "")
                              for i, w in enumerate(words))
    fts = table("search_fts", column("rowid"))
    match = literal_column("search_fts").op("MATCH")(bindparam("fts", expression))
    if not ranked:
        # the matching rowids as a list computed once: joined instead, SQLite may drive the join from
        # search_entries (its kind index) and run the full-text query again for every entry of that
        # kind, which grows with the square of the index (minutes per list search at 100,000 assignments)
        return select(*columns).where(E.id.in_(select(fts.c.rowid).where(match)))
    rank = (-func.bm25(literal_column("search_fts"), 10.0, 4.0, 2.0)).label("rank"),
    return (select(*columns, *rank)
            .select_from(E).join(fts, fts.c.rowid == E.id)
            .where(match))


def _visible(query, user):
    """Only what the user may read (app/scope.py): the directive, and a report's assignment."""
    from app import scope
    from app.models import Assignment, Directive, SearchEntry as E

    return query.join(Directive, Directive.id == E.directive_id).where(
        scope.directives(user),
        or_(E.kind != "report", exists(select(literal(1)).select_from(Assignment).where(
            Assignment.id == E.assignment_id, scope.assignments(user)))))


def search(q: str, user, kinds=None, agency_only: bool = False, limit: int = 200) -> list[Hit]:
    """Directives, tasks and reports the user may read that contain every word of `q` (accents and case
    ignored; numbers whole, other words as prefixes), best first, each with its matched words marked."""
    from app.extensions import db
    from app.models import SearchEntry as E

    words = terms(q)
    if not words:
        return []
    query = _visible(_match_query(db.session, words, agency_only), user)
    if kinds:
        query = query.where(E.kind.in_(list(kinds)))
    rows = db.session.execute(query.order_by(literal_column("rank").desc(), E.id).limit(limit)).all()
    hits = [_hit(row, words, agency_only) for row in rows]
    hits.sort(key=lambda hit: -hit.rank)  # stable: the database's order among equals
    return hits


def count(q: str, user, kinds=None, agency_only: bool = False) -> int:
    """How many entries `search` would find without a limit."""
    from app.extensions import db
    from app.models import SearchEntry as E

    words = terms(q)
    if not words:
        return 0
    query = _visible(_match_query(db.session, words, agency_only, ranked=False), user)
    if kinds:
        query = query.where(E.kind.in_(list(kinds)))
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def assignment_condition(q: str):
    """The condition on an assignment query (joined to Task and Directive, see scope.join_directive) for
    the assignment lists' search box: the words are in the task's text, in the name of the agency the
    assignment is given to, in the directive's number, symbol or subject, or in one of the assignment's
    reports. The list's own scope still applies; this only narrows it."""
    from app.extensions import db
    from app.models import Agency, Assignment, Directive, SearchEntry as E, Task

    words = terms(q)
    if not words:
        return literal(False)

    def matching(column, kind, only=None):
        query = _match_query(db.session, words, False, ranked=False, only=only).with_only_columns(column)
        return query.where(E.kind == kind)

    agencies = [a.id for a in db.session.execute(select(Agency.id, Agency.name, Agency.short_name))
                if names_match(words, a.name, a.short_name)]
    return or_(Task.id.in_(matching(E.record_id, "task", "title")),
               Directive.id.in_(matching(E.directive_id, "directive")),
               Assignment.id.in_(matching(E.assignment_id, "report")),
               Assignment.agency_id.in_(agencies) if agencies else literal(False))


def names_match(words: list[str], *names: str) -> bool:
    """Whether names have every word (the index's rule: whole words, the last one perhaps unfinished);
    for short lists matched in Python, such as the agencies a picker offers."""
    found = tokens(" ".join(name for name in names if name))
    return all(any(t.startswith(w) if is_prefix(words, i) else t == w for t in found) for i, w in enumerate(words))


def directive_condition(q: str):
    """Directives whose number and symbol, subject or assignees have every word of q (the index's rule):
    the pickers' search for a directive."""
    from app.extensions import db
    from app.models import Directive, SearchEntry as E

    words = terms(q)
    if not words:
        return literal(True)
    return Directive.id.in_(_match_query(db.session, words, False, ranked=False)
                            .with_only_columns(E.directive_id).where(E.kind == "directive"))


def directive_matches(q: str, user, agency_only: bool = False, limit: int = 2000) -> dict[int, DirectiveMatch]:
    """{directive id: its best rank and up to three matches (the directive, its tasks, its reports)}."""
    found: dict[int, DirectiveMatch] = {}
    for hit in search(q, user, agency_only=agency_only, limit=limit):
        match = found.setdefault(hit.directive_id, DirectiveMatch(rank=hit.rank))
        match.rank = max(match.rank, hit.rank)
        if len(match.matches) < 3:
            match.matches.append(hit)
    return found


# ---- showing the matched words ------------------------------------------------------------------

def _hit(row, words, agency_only) -> Hit:
    fields = [("agencies", row.agency_text)] if agency_only else [
        ("title", row.title_text), ("code", row.code_text), ("agencies", row.agency_text)]
    for name, text in fields:  # noqa: B007  (the field that matched is kept after the loop)
        snippet = highlight(text, words)
        if snippet is not None:
            break
    else:
        name, snippet = fields[0][0], escape(_cut(fields[0][1], 0))
    # the words side by side, in this order ("Sở Y tế", "giải ngân"), rank above the same words apart
    phrase = f" {' '.join(words)} "
    bonus = 1.0 if any(phrase in f" {value} " for value in (row.code, row.title, row.agencies)) else 0.0
    return Hit(kind=row.kind, id=row.record_id, directive_id=row.directive_id, assignment_id=row.assignment_id,
               rank=round(float(row.rank or 0) + bonus, 6), field=name, title=row.title_text, snippet=Markup(snippet))


def _matches(word: str, words: list[str]) -> bool:
    return any(t.startswith(w) if is_prefix(words, i) else t == w
               for t in tokens(word) for i, w in enumerate(words))


def _cut(text: str, start: int) -> str:
    return text[start:start + SNIPPET * 2]


def highlight(text: str, words: list[str]) -> Markup | None:
    """The text around its first matched word (or, better, where the words stand side by side in the
    order typed), every matched word in <mark>; None when none matches."""
    if not text:
        return None
    found = [(m.span(), _matches(m.group(), words)) for m in _WORD.finditer(text)]
    spans = [span for span, hit in found if hit]
    if not spans:
        return None
    n = len(words)
    every = [(span, tokens(text[span[0]:span[1]])) for span, _hit in found]
    first = None
    for index in range(len(every) - n + 1):
        window = [t for _span, ts in every[index:index + n] for t in ts][:n]
        if len(window) == n and all(t.startswith(w) if is_prefix(words, i) else t == w
                                    for i, (t, w) in enumerate(zip(window, words))):
            first = every[index][0][0]
            break
    if first is None:  # no phrase: the window that shows the most of the words
        def shown(start):
            inside = [t for a, b in spans[:50] if start <= a < start + SNIPPET * 2 - SNIPPET // 3
                      for t in tokens(text[a:b])]
            return sum(any(t.startswith(w) if is_prefix(words, i) else t == w for t in inside)
                       for i, w in enumerate(words))
        first = max((a for a, _b in spans[:50]), key=lambda a: (shown(a), -a))
    start = max(0, first - SNIPPET // 3)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + SNIPPET * 2)
    out, position = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out.append(escape(text[position:a]))
        out.append(Markup("<mark>") + escape(text[a:b]) + Markup("</mark>"))
        position = b
    out.append(escape(text[position:end]))
    return Markup(("… " if start else "") + "".join(out) + (" …" if end < len(text) else ""))
